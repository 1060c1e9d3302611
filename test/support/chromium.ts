import { access } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core over CDP (playwright-core downloads no browser).
 * `.ci/run` installs the package when it is missing. Each launch gets a fresh user-data-dir:
 * playwright-core's `launch()` creates a temporary profile (`playwright_chromiumdev_profile-*` under
 * the temp dir) and removes it on close; pages then open in their own contexts (JavaScript on or
 * off, light or dark). Background networking, component updates and sync are off, so the browser
 * talks to nothing but the pages a test opens (127.0.0.1).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export const launchChromium = async (): Promise<Browser> => {
  await access(CHROMIUM_PATH).catch(() => {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (.ci/run does this)`);
  });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    // Launching takes seconds on a busy 2-core machine.
    timeout: 120_000,
  });
};

/** WCAG 2.2 contrast ratio of two `rgb(r, g, b)` / `rgba(…)` colours as getComputedStyle gives them. */
export const contrastRatio = (foreground: string, background: string): number => {
  const luminance = (css: string): number => {
    const channels =
      css
        .match(/[\d.]+/g)
        ?.slice(0, 3)
        .map(Number) ?? [];
    if (channels.length !== 3) throw new Error(`not an rgb() colour: ${css}`);
    const [r, g, b] = channels.map((c) => {
      const v = c / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
};
