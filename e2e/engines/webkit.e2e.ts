/** The demo's end-to-end flows in WebKit (WebKitGTK's MiniBrowser on Xvfb, WebDriver classic). */
import { demoFlows } from './flows.js';
import { openWebKit } from './webkit.js';

demoFlows(openWebKit);
