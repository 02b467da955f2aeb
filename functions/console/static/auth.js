// Sign-in: dev mode mints tokens at the dev server (scripts/dev only);
// firebase mode signs in with email and password through the Firebase web
// SDK, vendored from npm and served by the console itself (config.json's
// firebaseSDK; vendor/ and scripts/check-vendor), loaded only in this mode.
// Either way token() returns an ID token that is good for at least five
// more minutes, refreshing it first when needed, so requests never carry a
// stale token.

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export async function createAuth(cfg) {
  return cfg.auth === 'dev' ? new DevAuth(cfg) : FirebaseAuth.load(cfg);
}

// DevAuth keeps its token in sessionStorage: a reload keeps the person
// signed in, a second tab or browser context signs in on its own.
class DevAuth {
  constructor(cfg) {
    this.mode = 'dev';
    this.url = cfg.devSignIn;
    this.key = 'smsdesk.devSession';
    this.session = null;
    this.timer = 0;
  }

  async restore() {
    try {
      const s = JSON.parse(sessionStorage.getItem(this.key) || 'null');
      if (s && s.token && s.expiresAt > Date.now() + 60_000) {
        this.session = s;
        this.schedule();
        return true;
      }
    } catch {
      /* a damaged entry: sign in again */
    }
    return false;
  }

  get principal() {
    return this.session && { role: this.session.role, agentId: this.session.agentId };
  }

  async signIn({ role, agentId }) {
    if (!this.url) throw new Error('Dev sign-in is not served here.');
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(agentId ? { role, agentId } : { role }),
      cache: 'no-store',
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || `Sign-in failed (${res.status}).`);
    this.session = { token: data.token, expiresAt: Date.now() + data.expiresIn * 1000, role, agentId };
    sessionStorage.setItem(this.key, JSON.stringify(this.session));
    this.schedule();
  }

  // schedule mints the next token five minutes before this one expires.
  schedule() {
    clearTimeout(this.timer);
    const wait = Math.max(0, this.session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), wait);
  }

  async refresh() {
    const { role, agentId } = this.session;
    await this.signIn({ role, agentId });
  }

  async token() {
    if (!this.session) throw new Error('Not signed in.');
    if (this.session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
    return this.session.token;
  }

  async signOut() {
    clearTimeout(this.timer);
    this.session = null;
    sessionStorage.removeItem(this.key);
  }
}

// FirebaseAuth uses the Firebase Authentication web SDK. initializeAuth with
// explicit persistence (not getAuth) leaves out the popup and redirect
// resolver, so no iframe or extra script is loaded: email and password only
// talk to identitytoolkit and securetoken.googleapis.com, which the
// Content-Security-Policy allows.
class FirebaseAuth {
  static async load(cfg) {
    // One ES module: firebase/app and firebase/auth bundled together.
    return new FirebaseAuth(cfg, await import(cfg.firebaseSDK));
  }

  constructor(cfg, sdk) {
    this.mode = 'firebase';
    this.m = sdk;
    const app = sdk.initializeApp(cfg.firebase);
    this.auth = sdk.initializeAuth(app, {
      persistence: [sdk.indexedDBLocalPersistence, sdk.browserLocalPersistence],
    });
    if (cfg.authEmulator) {
      // Tests and local runs: the Auth emulator issues the tokens; the
      // banner the SDK would add is noise in a test's screenshots.
      sdk.connectAuthEmulator(this.auth, cfg.authEmulator, { disableWarnings: true });
    }
    this.claims = null;
    // A listener on ID token changes also makes the SDK refresh the token
    // proactively, before it expires.
    this.ready = new Promise((resolve) => {
      let first = true;
      sdk.onIdTokenChanged(this.auth, async (user) => {
        this.claims = user ? (await user.getIdTokenResult()).claims : null;
        if (first) {
          first = false;
          resolve();
        }
      });
    });
  }

  async restore() {
    await this.ready;
    return Boolean(this.auth.currentUser);
  }

  get principal() {
    return this.claims && { role: this.claims.role, agentId: this.claims.agentId, email: this.claims.email };
  }

  async signIn({ email, password }) {
    try {
      const cred = await this.m.signInWithEmailAndPassword(this.auth, email, password);
      this.claims = (await cred.user.getIdTokenResult()).claims;
    } catch (err) {
      throw new Error(firebaseMessage(err));
    }
  }

  async token() {
    const user = this.auth.currentUser;
    if (!user) throw new Error('Not signed in.');
    // getIdToken returns the cached token and refreshes it when it expires
    // within five minutes.
    return user.getIdToken();
  }

  async signOut() {
    await this.m.signOut(this.auth);
  }
}

function firebaseMessage(err) {
  switch (err && err.code) {
    case 'auth/invalid-credential':
    case 'auth/invalid-login-credentials':
    case 'auth/wrong-password':
    case 'auth/user-not-found':
      return 'The email or password is not right.';
    case 'auth/invalid-email':
      return 'That is not a valid email address.';
    case 'auth/user-disabled':
      return 'This account is disabled; ask an admin.';
    case 'auth/too-many-requests':
      return 'Too many attempts; wait a minute and try again.';
    case 'auth/network-request-failed':
      return 'Cannot reach the sign-in service; check the connection.';
    default:
      return (err && err.message) || 'Sign-in failed.';
  }
}
