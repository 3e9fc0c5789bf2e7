/** The demo's end-to-end flows in Firefox (headless, WebDriver BiDi). */
import { openFirefox } from './firefox.js';
import { demoFlows } from './flows.js';

demoFlows(openFirefox);
