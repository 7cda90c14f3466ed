// jsdom lacks a few browser APIs that Tauri's mocks and Fluent UI use.
import { cleanup, configure } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";
import { webcrypto } from "node:crypto";

// waitFor/findBy poll until the page shows what a test expects, and return as soon as it does.
// Their default budget of one second made them timed assertions: on a machine busy with a Rust
// build, a Fluent dialog of a dozen users once took longer to appear, and a test failed that
// had nothing wrong. The budget is the test's own (vite.config.ts testTimeout is 20 s).
configure({ asyncUtilTimeout: 15000 });

if (!globalThis.crypto?.getRandomValues) {
  Object.defineProperty(globalThis, "crypto", { value: webcrypto });
}

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

if (!("ResizeObserver" in window)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (window as unknown as { ResizeObserver: unknown }).ResizeObserver = ResizeObserverStub;
}

afterEach(() => {
  cleanup();
  clearMocks();
});
