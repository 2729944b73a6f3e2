// Debian's Swift 6.0 (swiftlang 6.0.3-2, trixie) ships a libswiftObservation.so
// that calls swift::threading::fatal(const char *, ...), which none of the
// package's libraries defines (upstream links it in statically), so nothing
// that uses @Observable links on Linux. The sample's view model is @Observable
// and its tests run there; this defines the missing function for them. The
// Apple toolchains and the app never see this target (Linux only, tests only).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ObservationLinkFix.h"

// The C++ name of swift::threading::fatal(char const *, ...).
__attribute__((noreturn, visibility("default"))) void
fkn_swift_threading_fatal(const char *format, ...) __asm__("_ZN5swift9threading5fatalEPKcz");

void fkn_swift_threading_fatal(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    abort();
}
