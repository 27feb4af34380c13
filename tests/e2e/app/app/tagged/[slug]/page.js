// App Router ISR page whose data is cached by tag, as App Router apps read a CMS: the post is
// read through unstable_cache tagged 'posts' and 'post:<slug>', so revalidateTag of either
// regenerates it (an on-demand revalidation of the path, x-prerender-revalidate, re-reads the
// data too: 13.5.11 and 16.4.6 bypass unstable_cache then). Static for BUILD_SLUGS, never
// revalidated by time.
import { unstable_cache } from 'next/cache';
import { notFound } from 'next/navigation';
import { BUILD_SLUGS, readPost } from '../../../lib/content';

export const revalidate = false;
export const dynamicParams = true;

export function generateStaticParams() {
  return BUILD_SLUGS.map((slug) => ({ slug }));
}

function taggedPost(slug) {
  return unstable_cache(async () => readPost(slug), ['tagged-post', slug], {
    tags: ['posts', `post:${slug}`],
  })();
}

// params is a promise on 16 and a plain object on 13; await handles both.
export async function generateMetadata({ params }) {
  const { slug } = await params;
  const post = await taggedPost(slug);
  return { title: post ? post.title : 'Not found' };
}

export default async function TaggedPost({ params }) {
  const { slug } = await params;
  const post = await taggedPost(slug);
  if (!post) {
    notFound();
  }
  const generatedAt = new Date().toISOString();
  return (
    <main>
      <h1 id="title">{post.title}</h1>
      <article id="body">
        <p>{post.body}</p>
      </article>
      <p id="meta">
        slug <code id="slug">{slug}</code>, tags <code>posts post:{slug}</code>, generated at{' '}
        <time id="generated-at" dateTime={generatedAt}>
          {generatedAt}
        </time>
      </p>
    </main>
  );
}
