import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';

import { evaluateLogits } from '../src/metrics.js';
import { renderReliabilityDiagram, type ReliabilitySeries } from '../src/reliability_diagram.js';

/** Computes a series with the metrics module from a few fixed rows of logits. */
function seriesFor(smoothing: number, logits: number[], labels: number[]): ReliabilitySeries {
  const metrics = evaluateLogits(logits, labels, 3);
  return {
    smoothing,
    bins: metrics.bins,
    expectedCalibrationError: metrics.expectedCalibrationError,
    accuracy: metrics.accuracy,
  };
}

const series = [
  seriesFor(0, [4, 0, 0, 0, 5, 1, 2, 2, 0, 0, 0, 9], [0, 1, 1, 2]),
  seriesFor(0.1, [2, 0, 0, 0, 2, 1, 1, 1, 0, 0, 0, 3], [0, 1, 1, 2]),
  seriesFor(0.2, [1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1], [0, 1, 1, 2]),
];
const svg = renderReliabilityDiagram(series, { title: 'Reliability <test> & check', subtitle: 'three runs' });

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => name === 'g' });
interface Group {
  '@_class'?: string;
  '@_data-smoothing'?: string;
  g?: Group[];
}
const document = parser.parse(svg) as { svg: { g: Group[]; '@_xmlns': string } };

describe('renderReliabilityDiagram', () => {
  it('returns well-formed XML', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('returns an SVG root element', () => {
    expect(document.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
  });

  it('draws one series per smoothing value', () => {
    const drawn = document.svg.g.filter((group) => group['@_class'] === 'series');
    expect(drawn.map((group) => group['@_data-smoothing'])).toEqual(['0', '0.1', '0.2']);
  });

  it('draws one row of bin counts per smoothing value', () => {
    const table = document.svg.g.find((group) => group['@_class'] === 'count-table');
    const rows = (table?.g ?? []).filter((group) => group['@_class'] === 'count-row');
    expect(rows.map((group) => group['@_data-smoothing'])).toEqual(['0', '0.1', '0.2']);
  });

  it('escapes the title', () => {
    expect(svg).toContain('Reliability &lt;test&gt; &amp; check');
  });

  it('rejects an empty list of series', () => {
    expect(() => renderReliabilityDiagram([], { title: 't', subtitle: 's' })).toThrow(/no series/);
  });
});
