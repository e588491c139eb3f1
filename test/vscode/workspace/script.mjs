// Run File fixture: a whole script that uses the Python-shaped API. Plain
// JavaScript so the project's type check does not need the 'poolscope'
// self-import to resolve; the runner provides that module at run time.
import { Pool } from 'poolscope';

export function cube(x) {
  return x * x * x;
}

export default async function main() {
  const pool = new Pool(2);
  try {
    console.log('cubes', await pool.map(cube, [1, 2, 3]));
  } finally {
    pool.close();
    await pool.join();
  }
}
