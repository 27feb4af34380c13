// revalidateTag(tag) on this instance only, guarded by the x-revalidate-secret header:
// GET /api/revalidate-tag?tag=posts. Next 16 wants a profile; { expire: 0 } expires the tag at
// once (a webhook's case: the next request renders new content, never the stale page). 13.5
// takes the tag alone and ignores the second argument.
import { revalidateTag } from 'next/cache';
import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

export async function GET(request) {
  const headers = { 'cache-control': 'no-store', 'x-pod': process.env.POD_NAME || '' };
  const secret = process.env.REVALIDATE_SECRET;
  if (!secret || request.headers.get('x-revalidate-secret') !== secret) {
    return NextResponse.json({ message: 'Invalid token' }, { status: 401, headers });
  }
  const tag = new URL(request.url).searchParams.get('tag');
  if (!tag) {
    return NextResponse.json({ message: 'Missing tag query parameter' }, { status: 400, headers });
  }
  revalidateTag(tag, { expire: 0 });
  return NextResponse.json(
    { revalidated: true, tag, pod: process.env.POD_NAME || null, now: new Date().toISOString() },
    { headers },
  );
}
