"""Differential cases for F.bilinear, F.local_response_norm / nn.LocalResponseNorm, F.channel_shuffle /
nn.ChannelShuffle and F.max_unpool1d/2d: values and gradients, for tests/nn/layers-6.test.ts.

The max unpooling cases carry the pooled input ("src") and the max pool that made their values and
indices ("pool", an edgegrad call), so the test feeds edgegrad's own pool indices back in. PyTorch
1.13's channel_shuffle has no derivative: its gradients come from the same permutation written as
reshape → transpose → reshape, checked here to give channel_shuffle's values bit for bit.
"""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, enc, write


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def bilinear_cases(cases, g):
    for cid, s1, s2, out, bias in [("2d", (4, 3), (4, 5), 2, True), ("3d-no-bias", (2, 3, 4), (2, 3, 2), 3, False),
                                   ("1d", (3,), (2,), 4, True), ("empty-batch", (0, 3), (0, 2), 2, True)]:
        in1, in2 = s1[-1], s2[-1]
        inputs = {"x1": (g.randn(*s1), True), "x2": (g.randn(*s2), True), "w": (g.randn(out, in1, in2), True)}
        args = [T("x1"), T("x2"), T("w")]
        if bias:
            inputs["b"] = (g.randn(out), True)
            args.append(T("b"))
        call_case(cases, f"bilinear/{cid}", F("bilinear", *args), inputs,
                  lambda x1, x2, w, b=None: TF.bilinear(x1, x2, w, b), terms=in1 * in2 + 1, gen=g)


def lrn_cases(cases, g):
    for cid, shape, size, kw in [("3d-default", (2, 5, 4), 3, {}), ("3d", (2, 5, 4), 3, dict(alpha=0.5)),
                                 ("4d-even", (2, 4, 3, 3), 2, dict(alpha=1.0, beta=0.6, k=2.0)),
                                 ("size-over-channels", (1, 3, 2, 2), 7, dict(alpha=2.0, beta=1.5, k=0.5)),
                                 ("5d", (1, 4, 2, 2, 2), 3, dict(alpha=0.8, beta=0.75, k=1.0))]:
        call_case(cases, f"lrn/{cid}", F("localResponseNorm", T("x"), size, *([kw] if kw else [])), {"x": (g.randn(*shape, scale=1.5), True)},
                  lambda x, size=size, kw=kw: TF.local_response_norm(x, size, **kw), terms=size + 8, gen=g)
    m = torch.nn.LocalResponseNorm(4, alpha=0.3, beta=0.8, k=1.5)
    x = g.randn(2, 6, 3, 2)
    xi = x.clone().requires_grad_(True)
    out = m(xi)
    cot = g.randn(*out.shape)
    (out * cot).sum().backward()
    cases.append({"id": "module/LocalResponseNorm", "kind": "module", "terms": 12, "state": {},
                  "ctor": {"name": "LocalResponseNorm", "args": [4, {"alpha": 0.3, "beta": 0.8, "k": 1.5}]},
                  "input": enc(x, True), "output": enc(out), "cotangent": enc(cot), "inputGrad": enc(xi.grad), "paramGrads": {}})


def shuffled(x, groups):
    """channel_shuffle as a view chain, which (unlike PyTorch 1.13's op) has a derivative."""
    n, c = x.shape[:2]
    y = x.reshape(n, groups, c // groups, *x.shape[2:]).transpose(1, 2).reshape(x.shape)
    assert torch.equal(y.detach(), TF.channel_shuffle(x.detach(), groups))
    return y


def shuffle_cases(cases, g):
    for cid, shape, groups in [("3d", (2, 6, 3), 3), ("4d", (2, 6, 2, 2), 2), ("5d", (1, 4, 2, 1, 3), 4), ("one-group", (2, 3, 2), 1)]:
        call_case(cases, f"channelShuffle/{cid}", F("channelShuffle", T("x"), groups), {"x": (g.randn(*shape), True)},
                  lambda x, groups=groups: shuffled(x, groups), terms=1, gen=g)
    x = g.randn(2, 8, 3)
    xi = x.clone().requires_grad_(True)
    out = shuffled(xi, 4)
    cot = g.randn(*out.shape)
    (out * cot).sum().backward()
    cases.append({"id": "module/ChannelShuffle", "kind": "module", "terms": 1, "state": {}, "ctor": {"name": "ChannelShuffle", "args": [4]},
                  "input": enc(x, True), "output": enc(out), "cotangent": enc(cot), "inputGrad": enc(xi.grad), "paramGrads": {}})


def unpool_cases(cases, g):
    # (id, dims, input shape, pool kernel/stride/padding, edgegrad's pool options, unpool options, outputSize)
    specs = [
        ("2d/k3s2p1-outputSize", 2, (2, 2, 7, 6), (3, 2, 1), {"stride": 2, "padding": 1}, [7, 6]),
        ("2d/k2", 2, (2, 3, 4, 6), (2, 2, 0), {}, None),
        ("2d/unbatched-outputSize", 2, (2, 5, 5), (2, 2, 0), {}, [5, 5]),
        ("2d/full-outputSize", 2, (1, 2, 5, 7), (2, 2, 0), {}, [1, 2, 5, 7]),
        ("1d/k3s2p1", 1, (2, 3, 9), (3, 2, 1), {"stride": 2, "padding": 1}, None),
        ("1d/outputSize", 1, (2, 3, 9), (3, 2, 1), {"stride": 2, "padding": 1}, [10]),
        ("1d/unbatched", 1, (3, 8), (2, 2, 0), {}, None),
        # Overlapping windows: one maximum can win several windows (repeated indices).
        ("1d/overlap", 1, (1, 2, 8), (3, 1, 0), {"stride": 1}, None),
        ("2d/overlap", 2, (1, 1, 5, 5), (3, 1, 1), {"stride": 1, "padding": 1}, None),
    ]
    for cid, dims, shape, (k, s, p), opts, size in specs:
        src = g.randn(*shape)
        pool = TF.max_pool2d if dims == 2 else TF.max_pool1d
        unpool = TF.max_unpool2d if dims == 2 else TF.max_unpool1d
        y, idx = pool(src, k, s, p, return_indices=True)
        call_opts = dict(opts, **({"outputSize": size} if size is not None else {}))
        call_case(cases, f"maxUnpool{cid}", F(f"maxUnpool{dims}d", T("y"), T("idx"), k, *([call_opts] if call_opts else [])),
                  {"y": (y, True), "idx": (idx, False), "src": (src, False)},
                  lambda y, idx, src, k=k, s=s, p=p, size=size: unpool(y, idx, k, s, p, output_size=size), gen=g)
        cases[-1]["pool"] = F(f"maxPool{dims}d", T("src"), k, dict(opts, returnIndices=True))


def main():
    cases, g = [], Gen(61)
    for f in [bilinear_cases, lrn_cases, shuffle_cases, unpool_cases]:
        f(cases, g)
    write("tests/parity/cases/layers-6.json", cases)


if __name__ == "__main__":
    main()
