// Pages Router ISR page: pre-rendered for BUILD_SLUGS, generated on first request for the
// others, never revalidated by time (revalidate: false), only on demand. generatedAt changes
// at every generation, so each instance's copy differs until normalised.
import Head from 'next/head';
import { BUILD_SLUGS, readPost } from '../../lib/content';

export async function getStaticPaths() {
  return { paths: BUILD_SLUGS.map((slug) => ({ params: { slug } })), fallback: 'blocking' };
}

export async function getStaticProps({ params }) {
  const post = readPost(params.slug);
  if (!post) {
    return { notFound: true, revalidate: false };
  }
  return {
    props: {
      slug: params.slug,
      title: post.title,
      body: post.body,
      generatedAt: new Date().toISOString(),
    },
    revalidate: false,
  };
}

export default function Post({ slug, title, body, generatedAt }) {
  return (
    <main>
      <Head>
        <title>{title}</title>
      </Head>
      <h1 id="title">{title}</h1>
      <article id="body">
        <p>{body}</p>
      </article>
      <p id="meta">
        slug <code id="slug">{slug}</code>, generated at{' '}
        <time id="generated-at" dateTime={generatedAt}>
          {generatedAt}
        </time>
      </p>
    </main>
  );
}
