import { describe, expect, it } from 'vitest';
import { lineChartSvg, niceTicks, svgToPng } from '../../runtime/plots/line-chart.ts';
import { trainingCharts } from '../../runtime/plots/training-plots.ts';
import { StatsAccumulator } from '../../runtime/train/router-stats.ts';
import * as tf from '@tensorflow/tfjs';

describe('plots', () => {
  it('niceTicks picks 1-2-5 steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
  });
  it('draws one path per series, a legend, and renders to PNG', () => {
    const svg = lineChartSvg({ title: 'T <1>', xLabel: 'step', yLabel: 'loss', series: [{ name: 'a', points: [[0, 1], [1, 0.5]] }, { name: 'b', points: [[0, 2], [1, 1]] }] });
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('T &lt;1&gt;');
    expect(svg).toContain('>b</text>');
    const png = svgToPng(svg);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
  it('makes loss, accuracy and one load chart per MoE block from metrics records', () => {
    const charts = trainingCharts([
      { step: 10, split: 'train', loss: 2, accuracy: 0.1, 'router/block_3/load': [0.5, 0.5] },
      { step: 20, split: 'train', loss: 1, accuracy: 0.5, 'router/block_3/load': [0.4, 0.6] },
      { step: 20, split: 'test', loss: 1.1, accuracy: 0.45 },
    ]);
    expect([...charts.keys()]).toEqual(['loss', 'accuracy', 'load_block_3']);
    expect(charts.get('load_block_3')!.series.map((s) => s.points)).toEqual([[[10, 0.5], [20, 0.4]], [[10, 0.5], [20, 0.6]]]);
    expect(charts.get('loss')!.series[1]!.points).toEqual([[20, 1.1]]);
  });
});

describe('routing statistics', () => {
  it('average with weights and summarise load balance', () => {
    const acc = new StatsAccumulator();
    const a = new Map<string, tf.Tensor>([['block_1/load', tf.tensor1d([0.5, 0.5])], ['block_1/dropped', tf.scalar(0)]]);
    const b = new Map<string, tf.Tensor>([['block_1/load', tf.tensor1d([0.2, 0.8])], ['block_1/dropped', tf.scalar(0.3)]]);
    acc.add(a, 1);
    acc.add(b, 2); // weighted mean: load [0.3, 0.7], dropped 0.2
    const s = acc.summary();
    expect(s['router/block_1/load']).toEqual([0.3, 0.7]);
    expect(s['router/block_1/dropped']).toBeCloseTo(0.2, 6);
    expect(s['router/block_1/load_max_over_mean']).toBeCloseTo(1.4, 6);
    expect(s['router/block_1/load_cv']).toBeCloseTo(0.4, 6); // std 0.2 / mean 0.5
    tf.dispose([...a.values(), ...b.values()]);
  });
});
