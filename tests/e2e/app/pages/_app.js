// The module-scope Redis subscriber of the setups revalidate was born from: every pod subscribes
// to a channel and revalidates itself when a message arrives. It starts when this module is first
// loaded (at the first page render, so after the port already answers), only when REDIS_URL is
// set, once per process. `res.revalidate` is not available here, so, as those setups do, it calls
// the app's own /api/revalidate on this pod's port, with the secret.
if (typeof window === 'undefined' && process.env.REDIS_URL && !globalThis.__revalidateSubscriber) {
  const Redis = require('ioredis');
  const channel = process.env.REVALIDATE_CHANNEL || 'revalidate';
  const sub = new Redis(process.env.REDIS_URL);
  globalThis.__revalidateSubscriber = sub;
  sub.subscribe(channel).catch((err) => console.error('redis subscribe failed', err));
  sub.on('message', async (_channel, message) => {
    try {
      const { path } = JSON.parse(message);
      const port = process.env.PORT || 3000;
      const url = `http://127.0.0.1:${port}/api/revalidate?path=${encodeURIComponent(path)}`;
      const res = await fetch(url, {
        headers: { 'x-revalidate-secret': process.env.REVALIDATE_SECRET || '' },
      });
      console.log('revalidated', path, res.status);
    } catch (err) {
      console.error('revalidation failed', err);
    }
  });
}

export default function App({ Component, pageProps }) {
  return <Component {...pageProps} />;
}
