// The unmodified @datadog/browser-rum SDK, exposed as the global `DD_RUM` the
// way Datadog's own CDN bundle does.
import { datadogRum } from '@datadog/browser-rum';

window.DD_RUM = datadogRum;
