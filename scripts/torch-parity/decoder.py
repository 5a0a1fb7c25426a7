"""PyTorch cases for the decoder side of the transformer (tests/parity/cases/decoder.json):
TransformerDecoderLayer pre- and post-norm, relu, gelu and a function activation, batchFirst or
not, unbatched, with causal, bool and float target and memory masks and key padding masks; a
TransformerDecoder with its final norm; an nn.Transformer (encoder and decoder). Outputs, the
gradients of tgt, memory (or src) and every parameter, PyTorch in float64 from float32-rounded
inputs. torch 1.13 has no is_causal: the explicit causal mask is the reference for edgegrad's
tgtIsCausal / srcIsCausal.

It also writes an nn.Transformer state_dict as safetensors (tests/io/fixtures/torch-transformer.safetensors)
with its eval-mode output (in decoder.json, "fixture"), which tests/parity/decoder.test.ts loads.
"""
import torch
from common import Gen, enc, write
from cnn_state_dict import save_safetensors

nn = torch.nn
F = torch.nn.functional


def causal_mask(l):
    return torch.ones(l, l, dtype=torch.bool).triu(1)


def randomize(module, gen, scale=0.5):
    for p in module.parameters():
        p.data = gen.randn(*p.shape, scale=scale)


ACTIVATIONS = {"relu": "relu", "gelu": "gelu", "tanh-fn": torch.tanh}


def torch_options(o):
    """edgegrad's layer options as PyTorch's keyword arguments."""
    names = {"dimFeedforward": "dim_feedforward", "dropout": "dropout", "layerNormEps": "layer_norm_eps",
             "batchFirst": "batch_first", "normFirst": "norm_first", "activation": "activation",
             "numEncoderLayers": "num_encoder_layers", "numDecoderLayers": "num_decoder_layers", "dModel": "d_model", "nhead": "nhead"}
    out = {names[k]: v for k, v in o.items()}
    if "activation" in out:
        out["activation"] = ACTIVATIONS[out["activation"]]
    return out


def torch_forward(fwd, masks):
    """edgegrad's forward options ({"$t": name} for masks, *IsCausal) as PyTorch's keyword arguments."""
    names = {"tgtMask": "tgt_mask", "memoryMask": "memory_mask", "tgtKeyPaddingMask": "tgt_key_padding_mask",
             "memoryKeyPaddingMask": "memory_key_padding_mask", "srcMask": "src_mask", "srcKeyPaddingMask": "src_key_padding_mask"}
    def mask(v):
        if "$squareSubsequent" in v:  # edgegrad's Transformer.generateSquareSubsequentMask(sz): JSON has no -inf
            sz = v["$squareSubsequent"]
            return nn.Transformer.generate_square_subsequent_mask(sz).double()
        return masks[v["$t"]]
    return {names[k]: mask(v) for k, v in fwd.items() if not k.endswith("IsCausal")}


def add_case(cases, cid, kind, spec, x, y, fwd, masks, gen, terms):
    """kind "layer" | "decoder" (x = tgt, y = memory) or "transformer" (x = src, y = tgt). The
    references keep 8 significant digits (1e-8, far inside the tests' tolerance), the inputs and
    state their float32 values exactly."""
    torch_o = torch_options(spec["options"])
    if kind == "transformer":
        module = nn.Transformer(**torch_o)
    else:
        layer = nn.TransformerDecoderLayer(*spec["args"], **torch_o)
        module = nn.TransformerDecoder(layer, spec["layers"], norm=nn.LayerNorm(spec["args"][0])) if kind == "decoder" else layer
    randomize(module, gen)
    xi, yi = x.clone().requires_grad_(True), y.clone().requires_grad_(True)
    tm = torch_forward(fwd, masks)
    # The causal masks edgegrad applies itself (tgtIsCausal, srcIsCausal), given to PyTorch explicitly.
    if fwd.get("tgtIsCausal"):
        t = (yi if kind == "transformer" else xi)
        tm["tgt_mask"] = causal_mask(t.shape[1] if spec["options"].get("batchFirst") and t.dim() == 3 else t.shape[0])
    if fwd.get("srcIsCausal"):
        tm["src_mask"] = causal_mask(xi.shape[1] if spec["options"].get("batchFirst") and xi.dim() == 3 else xi.shape[0])
    out = module(xi, yi, **tm)
    cot = gen.randn(*out.shape)
    (out * cot).sum().backward()
    cases.append({"id": cid, "kind": kind, "spec": spec, "terms": terms,
                  "state": {n: enc(t) for n, t in module.state_dict().items()},
                  "inputs": [enc(x, True), enc(y, True)], "masks": {n: enc(t) for n, t in masks.items()}, "forward": fwd,
                  "output": enc(out, digits=8), "cotangent": enc(cot), "inputGrads": [enc(xi.grad, digits=8), enc(yi.grad, digits=8)],
                  "paramGrads": {n: enc(p.grad, digits=8) for n, p in module.named_parameters()}})


def cases_of(g):
    cases = []
    D, H, FF, T, S, N = 6, 2, 8, 5, 6, 3
    # Decoder terms: three blocks of sums over the features, the feed-forward width and the lengths.
    terms = 8 * (D + FF + T + S + N)
    base = {"dimFeedforward": FF, "dropout": 0.0}

    add_case(cases, "layer/post-norm-relu", "layer", {"args": [D, H], "options": base},
             g.randn(T, N, D), g.randn(S, N, D), {}, {}, g, terms)

    mkpm = torch.zeros(N, S, dtype=torch.bool)
    mkpm[0, 4:] = True
    mkpm[2, 1] = True
    add_case(cases, "layer/pre-norm-gelu-batch-first-causal-memory-padding", "layer",
             {"args": [D, H], "options": {**base, "activation": "gelu", "normFirst": True, "batchFirst": True}},
             g.randn(N, T, D), g.randn(N, S, D), {"tgtIsCausal": True, "memoryKeyPaddingMask": {"$t": "mkpm"}}, {"mkpm": mkpm}, g, terms)

    tmask = g.randn(T, T)
    mmask = g.rand(N * H, T, S) > 0.7
    mmask[:, :, 0] = False  # no row masked everywhere (PyTorch would give NaN)
    tkpm = torch.zeros(N, T, dtype=torch.bool)
    tkpm[1, 3:] = True
    add_case(cases, "layer/post-norm-gelu-float-tgt-mask-bool-memory-mask-per-head-eps", "layer",
             {"args": [D, H], "options": {**base, "activation": "gelu", "layerNormEps": 1e-3}},
             g.randn(T, N, D), g.randn(S, N, D),
             {"tgtMask": {"$t": "tmask"}, "memoryMask": {"$t": "mmask"}, "tgtKeyPaddingMask": {"$t": "tkpm"}},
             {"tmask": tmask, "mmask": mmask, "tkpm": tkpm}, g, terms)

    fkpm = g.randn(N, S)
    fmem = g.randn(T, S)
    add_case(cases, "layer/pre-norm-function-activation-float-memory-masks", "layer",
             {"args": [D, H], "options": {**base, "activation": "tanh-fn", "normFirst": True}},
             g.randn(T, N, D), g.randn(S, N, D), {"memoryKeyPaddingMask": {"$t": "fkpm"}, "tgtMask": {"$t": "bool"}},
             {"fkpm": fkpm, "bool": causal_mask(T)}, g, terms)
    add_case(cases, "layer/post-norm-float-memory-mask", "layer", {"args": [D, H], "options": base},
             g.randn(T, N, D), g.randn(S, N, D), {"memoryMask": {"$t": "fmem"}}, {"fmem": fmem}, g, terms)

    ukpm = torch.zeros(S, dtype=torch.bool)
    ukpm[2] = True
    add_case(cases, "layer/unbatched-causal-memory-padding", "layer", {"args": [D, H], "options": {**base, "batchFirst": True}},
             g.randn(T, D), g.randn(S, D), {"tgtIsCausal": True, "memoryKeyPaddingMask": {"$t": "ukpm"}}, {"ukpm": ukpm}, g, terms)

    add_case(cases, "decoder/2-layers-norm-causal-batch-first-padding", "decoder",
             {"args": [D, H], "options": {**base, "batchFirst": True}, "layers": 2},
             g.randn(N, T, D), g.randn(N, S, D), {"tgtIsCausal": True, "memoryKeyPaddingMask": {"$t": "mkpm"}, "tgtKeyPaddingMask": {"$t": "tkpm"}},
             {"mkpm": mkpm, "tkpm": tkpm}, g, 2 * terms)

    skpm = mkpm
    tf = {"dModel": D, "nhead": H, "numEncoderLayers": 1, "numDecoderLayers": 2, **base}
    add_case(cases, "transformer/square-subsequent-mask-padding", "transformer", {"options": tf},
             g.randn(S, N, D), g.randn(T, N, D),
             {"tgtMask": {"$squareSubsequent": T}, "srcKeyPaddingMask": {"$t": "skpm"}, "memoryKeyPaddingMask": {"$t": "skpm"}},
             {"skpm": skpm}, g, 3 * terms)
    add_case(cases, "transformer/pre-norm-gelu-batch-first-causal", "transformer",
             {"options": {**tf, "activation": "gelu", "normFirst": True, "batchFirst": True, "numEncoderLayers": 2, "numDecoderLayers": 1}},
             g.randn(N, S, D), g.randn(N, T, D), {"tgtIsCausal": True, "srcIsCausal": True}, {}, g, 3 * terms)
    return cases


def fixture(g):
    """A randomized nn.Transformer (default dropout, eval mode) saved as safetensors, with its output."""
    o = {"dModel": 16, "nhead": 4, "numEncoderLayers": 1, "numDecoderLayers": 2, "dimFeedforward": 32}
    # batch_first=False and post-norm: PyTorch 1.13's encoder fast path (eval, no grad) stays off.
    model = nn.Transformer(**torch_options(o))
    randomize(model, g)
    model.eval()
    save_safetensors("tests/io/fixtures/torch-transformer.safetensors", {k: v.float() for k, v in model.state_dict().items()})
    src, tgt = g.randn(7, 2, 16), g.randn(4, 2, 16)
    kpm = torch.zeros(2, 7, dtype=torch.bool)
    kpm[1, 5:] = True
    with torch.no_grad():
        y = model(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4).double(), src_key_padding_mask=kpm,
                  memory_key_padding_mask=kpm)
    return {"options": o, "keys": list(model.state_dict().keys()), "src": enc(src), "tgt": enc(tgt), "kpm": enc(kpm), "output": enc(y, digits=8)}


def main():
    g = Gen(16)
    cases = cases_of(g)
    fx = fixture(g)
    write("tests/parity/cases/decoder.json", cases)
    # The fixture's description rides in the same file.
    import json
    path = "tests/parity/cases/decoder.json"
    with open(path) as f:
        data = json.load(f)
    data["fixture"] = fx
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
