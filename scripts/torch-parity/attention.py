"""PyTorch cases for the attention layers (tests/parity/cases/attention.json): MultiheadAttention
with bool and float masks, key padding masks, kdim/vdim, weights averaged and per head,
batchFirst, unbatched inputs and causal masks (torch 1.13 has no is_causal: the explicit causal
attn_mask is the reference for edgegrad's isCausal); TransformerEncoderLayer pre- and post-norm,
relu and gelu, and a TransformerEncoder. Outputs, weights and every gradient, PyTorch in float64
from float32-rounded inputs.

It also writes state_dicts as safetensors with eval-mode outputs (tests/io/fixtures/torch-attention*),
which tests/parity/attention.test.ts loads with loadStateDict.
"""
import json
import torch
from common import Gen, enc, write
from cnn_state_dict import save_safetensors

nn = torch.nn


def causal_mask(l, s):
    # Query i sees keys j <= i + s - l (edgegrad's isCausal, aligned so the last query sees every key).
    return torch.ones(l, s, dtype=torch.bool).triu(1 + s - l)


def merged_float(bool_mask, float_kpm, heads):
    """A bool [L, S] mask and a float [N, S] key padding mask as one additive [N·heads, L, S] mask."""
    base = torch.zeros(bool_mask.shape).masked_fill(bool_mask, float("-inf"))
    return (base[None] + float_kpm[:, None, :]).repeat_interleave(heads, 0)


def randomize(module, gen, scale=0.5):
    for p in module.parameters():
        p.data = gen.randn(*p.shape, scale=scale)


def mha_case(cases, cid, ctor, inputs, fwd, gen, self_attn=False):
    """ctor: {"args": [...], "options": {...}} for eg.nn.MultiheadAttention; inputs (q, k, v);
    fwd: {"torch": kwargs for the module, "ours": options with masks as {"$t": name}, "masks": {name: tensor}}."""
    e, h = ctor["args"]
    o = ctor["options"]
    module = nn.MultiheadAttention(e, h, batch_first=o.get("batchFirst", False), kdim=o.get("kdim"), vdim=o.get("vdim"),
                                   bias=o.get("bias", True))
    randomize(module, gen)
    if self_attn:
        x = inputs[0].clone().requires_grad_(True)
        q = k = v = x
        leaves = {"x": x}
    else:
        q, k, v = (t.clone().requires_grad_(True) for t in inputs)
        leaves = {"q": q, "k": k, "v": v}
    out, w = module(q, k, v, **fwd["torch"])
    cot = gen.randn(*out.shape)
    (out * cot).sum().backward()
    s = k.shape[-2] if o.get("batchFirst") or k.dim() == 2 else k.shape[0]
    terms = 4 * (e + max(o.get("kdim") or e, o.get("vdim") or e) + s)
    cases.append({"id": cid, "kind": "mha", "ctor": ctor, "self": self_attn, "terms": terms,
                  "state": {n: enc(t) for n, t in module.state_dict().items()},
                  "inputs": {n: enc(t, True) for n, t in leaves.items()},
                  "masks": {n: enc(t) for n, t in fwd.get("masks", {}).items()},
                  "options": fwd["ours"], "output": enc(out), "weights": enc(w) if w is not None else None,
                  "cotangent": enc(cot), "inputGrads": {n: enc(t.grad) for n, t in leaves.items()},
                  "paramGrads": {n: enc(p.grad) for n, p in module.named_parameters()}})


def mha_cases(cases, g):
    E, H, L, S, N = 8, 2, 5, 7, 3
    bool_mask = g.rand(L, L) > 0.7
    bool_mask[:, 0] = False  # no row masked everywhere (PyTorch would give NaN)
    mha_case(cases, "mha/self-bool-mask", {"args": [E, H], "options": {}}, [g.randn(L, N, E)],
             {"torch": {"attn_mask": bool_mask}, "ours": {"attnMask": {"$t": "attnMask"}}, "masks": {"attnMask": bool_mask}}, g, True)
    fmask = g.randn(N * H, L, S)
    mha_case(cases, "mha/cross-float-mask-3d-per-head", {"args": [E, H], "options": {}}, [g.randn(L, N, E), g.randn(S, N, E), g.randn(S, N, E)],
             {"torch": {"attn_mask": fmask, "average_attn_weights": False},
              "ours": {"attnMask": {"$t": "attnMask"}, "averageAttnWeights": False}, "masks": {"attnMask": fmask}}, g)
    kpm = torch.zeros(N, S, dtype=torch.bool)
    kpm[0, 5:] = True
    kpm[2, 2] = True
    mha_case(cases, "mha/key-padding-batch-first", {"args": [E, H], "options": {"batchFirst": True}},
             [g.randn(N, L, E), g.randn(N, S, E), g.randn(N, S, E)],
             {"torch": {"key_padding_mask": kpm}, "ours": {"keyPaddingMask": {"$t": "kpm"}}, "masks": {"kpm": kpm}}, g)
    fkpm = g.randn(N, S)
    mha_case(cases, "mha/kdim-vdim-float-key-padding", {"args": [E, 4], "options": {"kdim": 6, "vdim": 5}},
             [g.randn(L, N, E), g.randn(S, N, 6), g.randn(S, N, 5)],
             # torch 1.13 merges a float key padding mask only without an attn_mask (it would
             # logical_or it into a bool one), so PyTorch gets the merged float mask of PyTorch 2.
             {"torch": {"attn_mask": merged_float(causal_mask(L, S), fkpm, 4)},
              "ours": {"keyPaddingMask": {"$t": "kpm"}, "isCausal": True}, "masks": {"kpm": fkpm}}, g)
    mha_case(cases, "mha/self-causal-batch-first", {"args": [E, H], "options": {"batchFirst": True}}, [g.randn(N, L, E)],
             {"torch": {"attn_mask": causal_mask(L, L), "need_weights": False},
              "ours": {"isCausal": True, "needWeights": False}}, g, True)
    mha_case(cases, "mha/unbatched-nobias", {"args": [E, H], "options": {"bias": False}}, [g.randn(L, E), g.randn(S, E), g.randn(S, E)],
             {"torch": {"attn_mask": causal_mask(L, S)}, "ours": {"isCausal": True}}, g)


def layer_case(cases, cid, args, o, torch_o, x, fwd, gen, layers=0):
    layer = nn.TransformerEncoderLayer(*args, **torch_o)
    module = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(args[0])) if layers else layer
    randomize(module, gen)
    xi = x.clone().requires_grad_(True)
    out = module(xi, **fwd["torch"])
    cot = gen.randn(*out.shape)
    (out * cot).sum().backward()
    d, ff = args[0], torch_o.get("dim_feedforward", 2048)
    terms = 8 * (d + ff + x.shape[0] + x.shape[1]) * max(layers, 1)
    cases.append({"id": cid, "kind": "encoder" if layers else "layer", "args": args, "options": o, "layers": layers, "terms": terms,
                  "state": {n: enc(t) for n, t in module.state_dict().items()}, "input": enc(x, True),
                  "masks": {n: enc(t) for n, t in fwd.get("masks", {}).items()}, "forward": fwd["ours"],
                  "output": enc(out), "cotangent": enc(cot), "inputGrad": enc(xi.grad),
                  "paramGrads": {n: enc(p.grad) for n, p in module.named_parameters()}})


def layer_cases(cases, g):
    D, H, FF, L, N = 8, 2, 16, 6, 3
    kpm = torch.zeros(N, L, dtype=torch.bool)
    kpm[1, 4:] = True
    layer_case(cases, "layer/post-norm-relu", [D, H], {"dimFeedforward": FF, "dropout": 0},
               {"dim_feedforward": FF, "dropout": 0.0}, g.randn(L, N, D), {"torch": {}, "ours": {}}, g)
    layer_case(cases, "layer/pre-norm-gelu-batch-first-key-padding", [D, H],
               {"dimFeedforward": FF, "dropout": 0, "activation": "gelu", "normFirst": True, "batchFirst": True},
               {"dim_feedforward": FF, "dropout": 0.0, "activation": "gelu", "norm_first": True, "batch_first": True},
               g.randn(N, L, D), {"torch": {"src_key_padding_mask": kpm}, "ours": {"srcKeyPaddingMask": {"$t": "kpm"}}, "masks": {"kpm": kpm}}, g)
    fmask = g.randn(L, L)
    layer_case(cases, "layer/post-norm-gelu-float-mask-eps", [D, H],
               {"dimFeedforward": FF, "dropout": 0, "activation": "gelu", "layerNormEps": 1e-3},
               {"dim_feedforward": FF, "dropout": 0.0, "activation": "gelu", "layer_norm_eps": 1e-3},
               g.randn(L, N, D), {"torch": {"src_mask": fmask}, "ours": {"srcMask": {"$t": "mask"}}, "masks": {"mask": fmask}}, g)
    layer_case(cases, "layer/pre-norm-relu-causal", [D, H], {"dimFeedforward": FF, "dropout": 0, "normFirst": True},
               {"dim_feedforward": FF, "dropout": 0.0, "norm_first": True},
               g.randn(L, N, D), {"torch": {"src_mask": causal_mask(L, L)}, "ours": {"isCausal": True}}, g)
    layer_case(cases, "encoder/2-layers-norm-causal", [D, H], {"dimFeedforward": FF, "dropout": 0, "batchFirst": True},
               {"dim_feedforward": FF, "dropout": 0.0, "batch_first": True},
               g.randn(N, L, D), {"torch": {"mask": causal_mask(L, L)}, "ours": {"isCausal": True}}, g, layers=2)


def state_dict_fixtures(g):
    """Trained-looking (randomized) modules in eval mode, saved as safetensors with their outputs."""
    out = {}
    models = {
        "torch-attention-mha": (nn.MultiheadAttention(16, 4, kdim=12, vdim=10), {"kind": "mha", "args": [16, 4], "options": {"kdim": 12, "vdim": 10}}),
        "torch-attention-encoder": (nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, 0.1, batch_first=True, norm_first=True), 2),
                                    {"kind": "encoder", "args": [16, 4], "options": {"dimFeedforward": 32, "batchFirst": True, "normFirst": True}, "layers": 2}),
    }
    for name, (model, spec) in models.items():
        randomize(model, g)
        model.eval()
        save_safetensors(f"tests/io/fixtures/{name}.safetensors", {k: v.float() for k, v in model.state_dict().items()})
        with torch.no_grad():
            if spec["kind"] == "mha":
                q, k, v = g.randn(5, 2, 16), g.randn(7, 2, 12), g.randn(7, 2, 10)
                y, _ = model(q, k, v)
                inputs = [q, k, v]
            else:
                x = g.randn(2, 9, 16)
                y = model(x, mask=causal_mask(9, 9))
                inputs = [x]
        out[name] = {**spec, "keys": list(model.state_dict().keys()), "inputs": [enc(t) for t in inputs], "output": enc(y)}
    with open("tests/io/fixtures/torch-attention.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))


def main():
    cases, g = [], Gen(15)
    mha_cases(cases, g)
    layer_cases(cases, g)
    write("tests/parity/cases/attention.json", cases)
    state_dict_fixtures(g)


if __name__ == "__main__":
    main()
