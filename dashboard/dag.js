// dag.js — a workflow's DAG as SVG, laid out here: steps in columns by dependency depth (the
// longest path from a step with no dependencies), ordered within a column by the mean row of
// their dependencies (two sweeps, to cut crossings), edges as cubic paths from a step to each
// step that depends on it.

import { s, f } from './dom.js';

const NODE_W = 204;
const NODE_H = 46;
const GAP_X = 64;
const GAP_Y = 18;
const PAD = 12;
const MAX_LABEL = 22;
const MAX_SUB = 30;

/** {id -> depth}: 0 for steps without dependencies; a dependency that does not exist is
 *  ignored, and a cycle (which validation refuses anyway) is cut where it is met. */
export function depths(steps) {
  const byId = new Map(steps.map((st) => [st.id, st]));
  const depth = new Map();
  const visiting = new Set();
  const visit = (id) => {
    if (depth.has(id)) return depth.get(id);
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let d = 0;
    for (const dep of byId.get(id).deps) if (byId.has(dep)) d = Math.max(d, visit(dep) + 1);
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const st of steps) visit(st.id);
  return depth;
}

/** Positions: {nodes: [{id, type, x, y, layer, row}], edges: [{from, to}], width, height}. */
export function layout(definitionSteps) {
  const steps = (definitionSteps || []).map((st) => ({
    id: String(f(st, 'id')), type: String(f(st, 'type') || ''), deps: (f(st, 'dependsOn') || []).map(String),
  }));
  const depth = depths(steps);
  const layers = [];
  for (const st of steps) (layers[depth.get(st.id)] ||= []).push(st);
  const row = new Map();
  layers.forEach((layer) => layer.forEach((st, i) => row.set(st.id, i)));
  const known = new Set(steps.map((st) => st.id));
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let d = 1; d < layers.length; d++) {
      const key = (st) => {
        const ps = st.deps.filter((p) => known.has(p));
        return ps.length ? ps.reduce((a, p) => a + row.get(p), 0) / ps.length : row.get(st.id);
      };
      const keyed = layers[d].map((st, i) => ({ st, k: key(st), i }));
      keyed.sort((a, b) => a.k - b.k || a.i - b.i);
      layers[d] = keyed.map((x) => x.st);
      layers[d].forEach((st, i) => row.set(st.id, i));
    }
  }
  const tallest = Math.max(1, ...layers.map((l) => l.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const nodes = [];
  layers.forEach((layer, d) => {
    const used = layer.length * NODE_H + (layer.length - 1) * GAP_Y;
    const top = (height - used) / 2;
    layer.forEach((st, i) => nodes.push({
      id: st.id, type: st.type, layer: d, row: i,
      x: PAD + d * (NODE_W + GAP_X), y: top + i * (NODE_H + GAP_Y),
    }));
  });
  const edges = [];
  for (const st of steps) for (const dep of st.deps) if (known.has(dep)) edges.push({ from: dep, to: st.id });
  const width = PAD * 2 + Math.max(1, layers.length) * NODE_W + Math.max(0, layers.length - 1) * GAP_X;
  return { nodes, edges, width, height };
}

const short = (text, max = MAX_LABEL) => (text.length > max ? text.slice(0, max - 1) + '…' : text);
const subLabel = (type, status) => short(status ? `${type} · ${status}` : type, MAX_SUB);

/** The picture. statusOf(id) gives each step's status word ('' before a run). The returned
 *  SVG has setStatus(id, status) to recolour one step in place. */
export function drawDag(definitionSteps, statusOf = () => '', title = 'Workflow DAG') {
  const g = layout(definitionSteps);
  const at = new Map(g.nodes.map((n) => [n.id, n]));
  const svg = s('svg', {
    class: 'dag', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`,
    role: 'group', 'aria-label': `${title}: ${g.nodes.length} steps`,
  });
  svg.append(s('defs', null, s('marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
  const edgeLayer = s('g', { class: 'edges', 'aria-hidden': 'true' });
  for (const e of g.edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mx = (x1 + x2) / 2;
    edgeLayer.append(s('path', {
      class: 'edge', 'data-from': e.from, 'data-to': e.to, 'marker-end': 'url(#arrow)',
      d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 2},${y2}`,
    }));
  }
  svg.append(edgeLayer);
  const nodeEls = new Map();
  for (const n of g.nodes) {
    const status = statusOf(n.id) || '';
    const label = s('text', { x: n.x + 10, y: n.y + 19, class: 'node-id' }, short(n.id));
    const sub = s('text', { x: n.x + 10, y: n.y + 36, class: 'node-sub' }, subLabel(n.type, status));
    const node = s('g', {
      class: `node st-${status || 'none'}`, 'data-step': n.id, 'data-status': status, role: 'img',
      'aria-label': `step ${n.id} (${n.type})${status ? ': ' + status : ''}`,
    },
    s('title', null, `${n.id} — ${n.type}${status ? ' — ' + status : ''}`),
    s('rect', { x: n.x, y: n.y, width: NODE_W, height: NODE_H, rx: 6 }), label, sub);
    nodeEls.set(n.id, { node, sub, type: n.type });
    svg.append(node);
  }
  svg.setStatus = (id, status) => {
    const el = nodeEls.get(id);
    if (!el) return;
    el.node.setAttribute('class', `node st-${status || 'none'}`);
    el.node.setAttribute('data-status', status);
    el.node.setAttribute('aria-label', `step ${id} (${el.type}): ${status}`);
    el.node.querySelector('title').textContent = `${id} — ${el.type} — ${status}`;
    el.sub.textContent = subLabel(el.type, status);
  };
  return svg;
}
