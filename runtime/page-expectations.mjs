// What the example page (examples/browser) must show, in any browser: the bounds both page tests
// (runtime/test-browser-page.mjs in Chromium, runtime/test-browser-page-webdriver.mjs in Firefox
// and WebKitGTK) check the page's numbers against.

/** Float test accuracy at least: the MLP reaches ~0.97 on the held-out 20%, the CNN 0.986 (Node, same seeds). */
export const MIN_ACCURACY = { mlp: 0.93, cnn: 0.95 };
/** Pruning 80% + int8 may cost a little accuracy, not more than this. */
export const MAX_ACCURACY_DROP = 0.03;
/** The words of the text demo's training text: a model that learned it writes them. */
export const TEXT_WORDS = /^(the|cat|sat|on|mat|and|dog|log|saw|small|model|can|learn|text|it|sees|eight|letters|guesses|ninth|more|reads|better|sounds|like|ran|to|bird|sang|in|tree|slept)$/;
