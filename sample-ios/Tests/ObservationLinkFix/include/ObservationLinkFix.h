// See ObservationLinkFix.c: nothing to call, the target only links a symbol in.
