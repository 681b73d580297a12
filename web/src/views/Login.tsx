import { useState } from 'preact/hooks';
import { api, type Session } from '../api';

export function LoginView({ onLogin }: { onLogin: (s: Session) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main class="login" id="main">
      <form
        aria-label="Log in"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            onLogin(await api<Session>('/api/v1/session', { method: 'POST', body: { user, password } }));
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>Vigil</h1>
        <label>
          User
          <input name="user" autocomplete="username" required value={user} onInput={(e) => setUser((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required value={password}
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </label>
        {error && <div class="error" role="alert">{error}</div>}
        <button type="submit" disabled={busy}>Log in</button>
      </form>
    </main>
  );
}
