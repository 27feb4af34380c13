// The "CMS": one JSON file, named by CONTENT_FILE, that every instance of a fleet reads on each
// (re)generation. A test edits the file, then revalidates: pages already in an instance's ISR
// cache keep what they rendered until that instance regenerates them.
import fs from 'fs';

// The slugs pre-rendered at build time; d and e exist in the seed content but are generated
// only on first request (fallback: 'blocking' / dynamicParams), like the simulated fleet's.
export const BUILD_SLUGS = ['a', 'b', 'c'];

export function readPost(slug) {
  const file = process.env.CONTENT_FILE;
  if (!file) {
    throw new Error('CONTENT_FILE is not set: it names the JSON file of posts the pages read');
  }
  const posts = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.prototype.hasOwnProperty.call(posts, slug) ? posts[slug] : null;
}
