// The console's sign-in needs only these: email and password, explicit
// persistence (no popup or redirect resolver), the Auth emulator for tests.
export { initializeApp } from 'firebase/app';
export {
  initializeAuth,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  browserLocalPersistence,
  onIdTokenChanged,
  signInWithEmailAndPassword,
  signOut,
} from 'firebase/auth';
