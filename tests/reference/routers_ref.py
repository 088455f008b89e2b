#!/usr/bin/env python3
"""Independent float64 numpy reference of the six routers (docs: shared routers.md
§1-§4, vmoe semantics), used to generate tests/fixtures/router-own/*.json for the
cases the shared router cases leave out. Run: python3 tests/reference/routers_ref.py
(rewrites the fixtures; the TS tests only read the JSON)."""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'router-own')


def compute_capacity(num_tokens, num_experts, factor, rounding='ceil', multiple_of=4):
    raw = num_tokens * factor / num_experts
    c = math.ceil(raw) if rounding == 'ceil' else round(raw)  # Python round: half to even
    c = max(1, int(c))
    if multiple_of and multiple_of > 1:
        c = ((c + multiple_of - 1) // multiple_of) * multiple_of
    return c


def softmax(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def top_k_idx(v, k):
    # descending, ties -> lower index (stable sort of -v)
    return np.argsort(-v, kind='stable')[:k]


def gelu(x, approximate=True):
    if approximate:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def cv_squared(x):
    return float(np.var(x) / np.mean(x) ** 2)


def phi(z):
    return 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))


def sinkhorn(logits, iters):
    """Kernel-mode Sinkhorn as ott-jax: u=v=1, v <- b/(K^T u), u <- a/(K v)."""
    S, E = logits.shape
    K = np.exp(logits - logits.max())  # a global shift leaves the plan unchanged
    u, v = np.ones(S), np.ones(E)
    a, b = np.ones(S), np.full(E, S / E)
    for _ in range(iters):
        v = b / (K.T @ u)
        u = a / (K @ v)
    return u[:, None] * K * v[None, :]


def sparse_simplex(v, k):
    idx = top_k_idx(v, k)
    vs = v[idx]
    cs = np.cumsum(vs)
    i = np.arange(1, k + 1)
    rho = int(np.sum(1 / i + vs - cs / i > 0))
    out = np.zeros_like(v)
    out[idx] = np.maximum(0, 1 / rho + vs - cs[rho - 1] / rho)
    return out


def sparse_ot(probs, k, maxiter=20, lr=1e-2, tol=1e-3, gamma=1.0):
    S, E = probs.shape
    b = S / E
    alpha = np.zeros(S)
    m = np.zeros(S)
    v = np.zeros(S)
    norms = []
    t = 0

    def ys_at(al):
        return [sparse_simplex((al + probs[:, j]) / (gamma * b), k) for j in range(E)]

    while t < maxiter and (t == 0 or norms[-1] > tol):
        grad = sum(b * y for y in ys_at(alpha)) - 1.0
        norms.append(float(np.linalg.norm(grad)))
        t += 1
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        alpha = alpha - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    plan = np.stack([b * y for y in ys_at(alpha)], axis=1)
    return plan, {'iterations': t, 'grad_norms': norms, 'alpha': alpha.tolist()}


def token_choice_dispatch(scores, k, C, bpr):
    """Loop form of vmoe's top-experts-per-item dispatcher (independent of the graph's cumsum form)."""
    S, E = scores.shape
    choices = [top_k_idx(scores[s], k) for s in range(S)]
    order = list(range(S))
    if bpr:
        order = sorted(range(S), key=lambda s: -scores[s].max())  # sorted() is stable
    fill = np.zeros(E, dtype=int)
    D = np.zeros((S, E, C))
    kept = np.zeros((S, k))
    for j in range(k):
        for s in order:
            e = choices[s][j]
            if fill[e] < C:
                D[s, e, fill[e]] = 1
                kept[s, j] = 1
            fill[e] += 1
    return D, kept


def expert_choice_dispatch(scores, C):
    S, E = scores.shape
    D = np.zeros((S, E, C))
    sel = np.zeros((E, C), dtype=int)
    for e in range(E):
        idx = top_k_idx(scores[:, e], C)
        sel[e] = idx
        for c, s in enumerate(idx):
            D[s, e, c] = 1
    return D, sel


def run_case(name, description, p, rng_seed):
    rng = np.random.default_rng(rng_seed)
    B, T, d, H, E = p['batch'], p['tokens_per_image'], p['dim'], p['mlp_dim'], p['num_experts']
    S = p['group_size']
    G = B * T // S
    dy = lambda *shape: np.round(rng.standard_normal(shape) * 64) / 64  # dyadic: exact in float32
    x = dy(B, T, d)
    if p.get('ties'):
        x[0, 1] = x[0, 0]  # duplicated token
        x[0, 2] = 0.0  # zero token: all logits equal
        x[1, 3] = x[1, 5]
    inputs = {'x': x}
    router = p['router']
    ex = {'w1': dy(E, d, H) / 2, 'b1': dy(E, H) / 8, 'w2': dy(E, H, d) / 2, 'b2': dy(E, d) / 8}
    inputs['experts'] = ex
    xg = x.reshape(G, S, d)
    exp = {k: [] for k in ['logits', 'gates', 'plan', 'dispatch', 'combine', 'kept', 'selected_tokens',
                           'experts_per_token', 'logits_noisy', 'sparse_ot']}
    aux = {'importance_loss': [], 'load_loss': [], 'auxiliary_loss': []}
    if router == 'soft_moe':
        P = p['num_slots']
        C = P
        mu = dy(d, E, P)
        scale = p.get('scale', 1.0)
        inputs['mu'] = mu
        inputs['scale'] = scale
    else:
        W = dy(d, E)
        inputs['router_kernel'] = W
        C = p['resolved_capacity']
    noise = dy(G, S, E) if p.get('noise_std', 0) > 0 else None
    if noise is not None:
        inputs['noise'] = noise
    for g in range(G):
        X = xg[g]
        if router == 'soft_moe':
            xn = X / np.sqrt((X ** 2).sum(-1, keepdims=True) + 1e-6)
            mun = mu / np.sqrt((mu ** 2).sum(0, keepdims=True) + 1e-6)
            logits = scale * np.einsum('sd,dep->sep', xn, mun)
            flat = logits.reshape(S, E * P)
            D = softmax(flat, axis=0).reshape(S, E, P)
            Cw = softmax(flat, axis=1).reshape(S, E, P)
            exp['logits'].append(logits)
        else:
            logits = X @ W
            exp['logits'].append(logits)
            sigma = p.get('noise_std', 0) / E
            noisy = logits + sigma * noise[g] if noise is not None else logits
            if noise is not None:
                exp['logits_noisy'].append(noisy)
            clean = softmax(logits)
            gates = softmax(noisy)
            if router in ('softmax_token_choice', 'sinkhorn_token_choice'):
                k = p['k']
                if router == 'softmax_token_choice':
                    scores, weights = gates, gates
                else:
                    plan = sinkhorn(noisy, p['sinkhorn_iters'])
                    exp['plan'].append(plan)
                    scores = plan
                    weights = plan if p.get('combine') == 'plan' else clean
                    gates = clean
                D, kept = token_choice_dispatch(scores, k, C, p.get('batch_priority', False))
                exp['kept'].append(kept)
                if router == 'softmax_token_choice':
                    imp = cv_squared(clean.sum(0))
                    aux['importance_loss'].append(imp)
                    total = p['importance_loss_weight'] * imp
                    if noise is not None:
                        thr = np.array([np.sort(noisy[s])[::-1][k - 1] for s in range(S)])
                        pr = 1 - phi((thr[:, None] - logits) / sigma)
                        ld = cv_squared(pr.mean(0))
                        aux['load_loss'].append(ld)
                        total += p['load_loss_weight'] * ld
                    aux['auxiliary_loss'].append(total)
            else:
                if router == 'softmax_expert_choice':
                    scores, weights = gates, gates
                elif router == 'sinkhorn_expert_choice':
                    plan = sinkhorn(noisy, p['sinkhorn_iters'])
                    exp['plan'].append(plan)
                    scores = plan
                    weights = plan if p.get('combine') == 'plan' else gates
                else:
                    gates = clean
                    plan, info = sparse_ot(clean, C)
                    exp['plan'].append(plan)
                    exp['sparse_ot'].append(info)
                    scores, weights = plan, clean
                D, sel = expert_choice_dispatch(scores, C)
                exp['selected_tokens'].append(sel)
                exp['experts_per_token'].append(D.sum((1, 2)))
            exp['gates'].append(gates)
            Cw = D * weights[:, :, None]
        exp['dispatch'].append(D)
        exp['combine'].append(Cw)
    D = np.array(exp['dispatch'])
    Cw = np.array(exp['combine'])
    xin = np.einsum('gsec,gsd->gecd', D, xg)
    approx = p.get('gelu_approximate', True)
    xout = np.stack([gelu(xin[:, e] @ ex['w1'][e] + ex['b1'][e], approx) @ ex['w2'][e] + ex['b2'][e] for e in range(E)], axis=1)
    y = np.einsum('gsec,gecd->gsd', Cw, xout).reshape(B, T, d)
    exp['expert_inputs'] = xin
    exp['expert_outputs'] = xout
    exp['output'] = y
    exp = {k: v for k, v in exp.items() if not (isinstance(v, list) and len(v) == 0)}
    aux = {k: v for k, v in aux.items() if v}
    if aux:
        exp['aux'] = aux
    p = dict(p, num_groups=G, resolved_capacity=C)
    conv = lambda v: v.tolist() if isinstance(v, np.ndarray) else (
        [conv(i) for i in v] if isinstance(v, list) else ({k: conv(i) for k, i in v.items()} if isinstance(v, dict) else v))
    case = {'format': 'moec-router-ref/1', 'name': name, 'router': router, 'description': description,
            'seed': rng_seed, 'params': p, 'inputs': conv(inputs), 'expected': conv(exp)}
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(case, f, indent=None, separators=(',', ':'))
    return case


BASE = dict(batch=2, tokens_per_image=8, dim=4, mlp_dim=8, num_experts=4, capacity_factor=1.0,
            capacity_ceil_or_round='ceil', capacity_multiple_of=1, gelu_approximate=True)


def tc(**kw):
    p = dict(BASE, router='softmax_token_choice', group_size=8, k=1, batch_priority=False,
             importance_loss_weight=0.005, load_loss_weight=0.005)
    p.update(kw)
    if 'resolved_capacity' not in p:
        p['resolved_capacity'] = compute_capacity(p['group_size'] * p['k'], p['num_experts'], p['capacity_factor'],
                                                  p['capacity_ceil_or_round'], p['capacity_multiple_of'])
    return p


def ec(router, **kw):
    p = dict(BASE, router=router, group_size=8)
    p.update(kw)
    if 'resolved_capacity' not in p:
        p['resolved_capacity'] = compute_capacity(p['group_size'], p['num_experts'], p['capacity_factor'],
                                                  p['capacity_ceil_or_round'], p['capacity_multiple_of'])
    if router == 'sinkhorn_expert_choice':
        p.setdefault('sinkhorn_iters', 20)
    return p


def main():
    os.makedirs(OUT, exist_ok=True)
    # The worked numbers of routers.md §3.
    assert compute_capacity(196, 32, 1.05) == 8
    assert compute_capacity(196, 128, 1.0, 'round', 1) == 2
    assert compute_capacity(16, 4, 1.05) == 8
    run_case('own_tc_k2_overflow', 'Softmax TC, k=2, C=2 (c=0.5): second choices overflow and are dropped.',
             tc(k=2, capacity_factor=0.5), 301)
    run_case('own_tc_k2_bpr', 'Softmax TC, k=2, C=2 with Batch Priority Routing (same data as own_tc_k2_overflow).',
             tc(k=2, capacity_factor=0.5, batch_priority=True), 301)
    run_case('own_tc_ties', 'Softmax TC, k=2 with duplicated and zero tokens: exact ties, lower index first.',
             tc(k=2, capacity_factor=0.5, ties=True), 302)
    run_case('own_tc_ties_bpr', 'Softmax TC, k=2, BPR with duplicated tokens: equal priorities keep token order (stable sort).',
             tc(k=2, capacity_factor=0.5, ties=True, batch_priority=True), 302)
    run_case('own_ec_ties', 'Softmax EC with duplicated and zero tokens: ties between tokens broken by lower index.',
             ec('softmax_expert_choice', ties=True), 302)
    run_case('own_tc_split_image', 'Softmax TC, groups of 4 tokens: every image is split over two groups.',
             tc(group_size=4), 303)
    run_case('own_ec_span_images', 'Softmax EC, groups of 16 tokens over batch 4: each group spans two images.',
             ec('softmax_expert_choice', batch=4, group_size=16), 304)
    run_case('own_tc_capacity_multiple_of_4', 'Softmax TC, S=16, c=1.05: ceil(4.2)=5 rounded up to 8 (multiple of 4).',
             tc(group_size=16, capacity_factor=1.05, capacity_multiple_of=4), 305)
    run_case('own_tc_noise_load_loss', 'Softmax TC, k=2, training noise (noise_std 1, sigma 1/E) with importance and load losses.',
             tc(k=2, noise_std=1.0), 306)
    run_case('own_soft_moe_2slots', 'Soft MoE with 2 slots per expert and scale 0.75.',
             dict(BASE, router='soft_moe', group_size=8, num_slots=2, scale=0.75), 307)
    run_case('own_ec_gelu_exact', 'Softmax EC with the exact erf GELU (gelu_approximate false).',
             ec('softmax_expert_choice', gelu_approximate=False), 308)
    run_case('own_sinkhorn_tc_k2_plan_combine', 'Sinkhorn TC, k=2, BPR, combine weights from the plan.',
             tc(router='sinkhorn_token_choice', k=2, capacity_factor=0.75, batch_priority=True, sinkhorn_iters=20,
                combine='plan', importance_loss_weight=0, load_loss_weight=0), 309)
    run_case('own_sinkhorn_ec_plan_combine', 'Sinkhorn EC, combine weights from the plan, 10 iterations.',
             ec('sinkhorn_expert_choice', sinkhorn_iters=10, combine='plan'), 310)
    c = run_case('own_sparse_ec_c4', 'Sparsity-constrained EC with C=4 (c=2): columns may have fewer than C non-zeros.',
                 ec('sparsity_constrained_expert_choice', capacity_factor=2.0), 311)
    plan = np.array(c['expected']['plan'])
    print('sparse ec short columns:', int(((plan > 0).sum(1) < 4).sum()))


if __name__ == '__main__':
    main()
