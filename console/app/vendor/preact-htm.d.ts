// Types of preact-htm.js, htm's "preact/standalone" build: Preact, its hooks and htm in one
// ES module. Its exports are exactly these; the types are Preact's own (the preact package
// pinned in package.json) and htm's binding of `html` to Preact's `h`.

export { h, render, Component, createContext } from 'preact';
export type {
  VNode,
  ComponentChild,
  ComponentChildren,
  ComponentProps,
  ComponentType,
  Context,
  FunctionComponent,
  JSX,
  Ref,
  RefObject,
  RenderableProps,
} from 'preact';
export {
  useState,
  useReducer,
  useEffect,
  useLayoutEffect,
  useRef,
  useImperativeHandle,
  useMemo,
  useCallback,
  useContext,
  useDebugValue,
  useErrorBoundary,
} from 'preact/hooks';
export type { Dispatch, StateUpdater, Reducer } from 'preact/hooks';

/** A tagged template of HTML-like markup that builds Preact elements (htm bound to `h`). */
export declare const html: typeof import('htm/preact').html;
