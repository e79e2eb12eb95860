// The generator lives in src/app (the demo data uses it); tests of the pure core import it here.
export * from '../app/generate-declarations.js';
