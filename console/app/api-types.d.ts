// Types of the console's API client, derived from the spec's generated types
// (`npm run types` writes ../types/api.d.ts from openapi/openapi.json).
import type { paths, components } from '../types/api';

export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;

/** The JSON of the operation's success answer (200 or 201; `undefined` for 204). */
export type Answer<P extends keyof paths, M extends Method> = Op<P, M> extends {
  responses: infer R;
}
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : undefined
  : never;

/** The operation's JSON body. */
export type Body<P extends keyof paths, M extends Method> = Op<P, M> extends {
  requestBody?: infer B;
}
  ? JsonOf<NonNullable<B>>
  : undefined;

/** The operation's query parameters. */
export type Query<P extends keyof paths, M extends Method> = Op<P, M> extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** The operation's path parameters. */
export type PathParams<P extends keyof paths, M extends Method> = Op<P, M> extends {
  parameters: { path?: infer Q };
}
  ? NonNullable<Q>
  : never;
