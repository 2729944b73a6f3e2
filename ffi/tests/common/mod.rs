//! A key store implemented outside the SDK, as an app's would be (here a map).

use std::collections::HashMap;
use std::sync::Mutex;

use fkn_ffi::{SecureStore, SecureStoreError};

#[derive(Default)]
pub struct MapStore(pub Mutex<HashMap<String, Vec<u8>>>);

impl SecureStore for MapStore {
    fn load(&self, key_id: String) -> Result<Option<Vec<u8>>, SecureStoreError> {
        Ok(self.0.lock().unwrap().get(&key_id).cloned())
    }
    fn save(&self, key_id: String, blob: Vec<u8>) -> Result<(), SecureStoreError> {
        self.0.lock().unwrap().insert(key_id, blob);
        Ok(())
    }
    fn delete(&self, key_id: String) -> Result<(), SecureStoreError> {
        self.0.lock().unwrap().remove(&key_id);
        Ok(())
    }
}
