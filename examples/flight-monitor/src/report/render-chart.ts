/**
 * Renders a vega-lite chart to PNG without a browser: vega-lite compiles the spec, vega draws
 * SVG headlessly, and resvg rasterizes it with a system font (Debian's DejaVu Sans).
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/** Renders a vega-lite spec to SVG text. */
export async function chartToSvg(spec: vegaLite.TopLevelSpec): Promise<string> {
  const compiled = vegaLite.compile({
    config: { font: 'DejaVu Sans' },
    ...spec,
  } as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a vega-lite spec to PNG bytes at twice the chart's size, for sharp text. */
export async function chartToPng(spec: vegaLite.TopLevelSpec): Promise<Buffer> {
  const svg = await chartToSvg(spec);
  const fontFiles = FONT_FILES.filter((file) => existsSync(file));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
