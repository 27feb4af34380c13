// res.revalidate(path) on this instance only, guarded by the x-revalidate-secret header.
// ?onlyGenerated=1 skips pages this instance never generated.
export default async function handler(req, res) {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-pod', process.env.POD_NAME || '');
  const secret = process.env.REVALIDATE_SECRET;
  if (!secret || req.headers['x-revalidate-secret'] !== secret) {
    return res.status(401).json({ message: 'Invalid token' });
  }
  const path = req.query.path;
  if (typeof path !== 'string' || path === '') {
    return res.status(400).json({ message: 'Missing path query parameter' });
  }
  const onlyGenerated = req.query.onlyGenerated === '1' || req.query.onlyGenerated === 'true';
  try {
    await res.revalidate(path, { unstable_onlyGenerated: onlyGenerated });
    return res.json({ revalidated: true, path, pod: process.env.POD_NAME || null });
  } catch (err) {
    return res.status(500).json({ revalidated: false, path, error: String(err && err.message) });
  }
}
