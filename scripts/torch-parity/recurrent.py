"""PyTorch cases for the recurrent layers (tests/parity/cases/recurrent.json): RNN (tanh, relu),
LSTM and GRU over numLayers 1-2 x bidirectional, and for each cell every combination of
batchFirst x initial states given x bias spread over those four layer/direction settings, plus
unbatched (2-D) input. PyTorch's parameters are loaded; the output, hN (and cN), the input
gradient, h0's (and c0's) and every parameter gradient are compared (tests/parity/recurrent.test.ts).
Each case's state_dict is also written as safetensors (tests/io/fixtures/torch-recurrent.safetensors,
keys prefixed by the case number) with PyTorch's float32 outputs, for tests/io/torch-recurrent.test.ts.

Run from the repository root with PyTorch 1.13: /usr/bin/python3 scripts/torch-parity/recurrent.py
"""
import torch
from common import RECURRENT_CELLS as CELLS, Gen, enc, recurrent_grads, recurrent_inputs, recurrent_settings, write
from cnn_state_dict import save_safetensors

nn = torch.nn
T, B, I, H = 4, 2, 3, 5   # H = 5: one full 4-lane vector and a ragged tail in the cell kernels


def make(cell, layers, bidirectional, batch_first, bias):
    torch_o = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    ours = {"numLayers": layers, "bidirectional": bidirectional, "batchFirst": batch_first, "bias": bias}
    name = cell.split("-")[0]
    extra = CELLS[cell]
    ours.update(extra)
    return getattr(nn, name)(I, H, **torch_o, **extra), {"name": name, "args": [I, H, ours]}


def recurrent_case(cases, sds, cid, cell, layers, bidirectional, batch_first, with_state, bias, unbatched, g):
    module, ctor = make(cell, layers, bidirectional, batch_first, bias)
    for p in module.parameters():
        p.data = g.randn(*p.shape, scale=0.5)
    d = 2 if bidirectional else 1
    x = g.randn(T, I) if unbatched else (g.randn(B, T, I) if batch_first else g.randn(T, B, I))
    hshape = (layers * d, H) if unbatched else (layers * d, B, H)
    h0, c0 = g.randn(*hshape, scale=0.5), g.randn(*hshape, scale=0.5)
    lstm = cell == "LSTM"
    xi, hi, ci = (t.clone().requires_grad_(True) for t in (x, h0, c0))
    state = ((hi, ci) if lstm else hi) if with_state else None
    out, hn = module(xi, state)
    hn, cn = hn if lstm else (hn, None)
    cots = [g.randn(*t.shape) for t in (out, hn, *([cn] if lstm else []))]
    loss = sum((t * c).sum() for t, c in zip((out, hn, *([cn] if lstm else [])), cots))
    loss.backward()
    case = {"id": cid, "ctor": ctor, "lstm": lstm, "withState": with_state, **recurrent_inputs(module, x, h0, c0),
            "output": enc(out), "hN": enc(hn), **recurrent_grads(module, cots, xi, hi, ci, cn, with_state)}
    # The same module in float32, as a user's PyTorch model would be saved.
    m32 = module.float().eval()
    with torch.no_grad():
        s32 = ((h0.float(), c0.float()) if lstm else h0.float()) if with_state else None
        o32, _ = m32(x.float(), s32)
    n = len(sds)
    sds.update({f"{n}.{k}": v for k, v in m32.state_dict().items()})
    case["safetensorsPrefix"] = f"{n}."
    case["output_f32"] = [float(v) for v in o32.reshape(-1).tolist()]
    cases.append(case)


def main():
    cases, sds, g = [], {}, Gen(15)
    for cell in CELLS:
        for cid, (layers, bidirectional, batch_first, with_state, bias) in recurrent_settings(cell):
            recurrent_case(cases, sds, cid + ('' if bias else '-nobias'), cell, layers, bidirectional, batch_first, with_state,
                           bias, False, g)
        recurrent_case(cases, sds, f"{cell}/unbatched-bi-h0", cell, 2, True, False, True, True, True, g)
    write("tests/parity/cases/recurrent.json", cases)
    save_safetensors("tests/io/fixtures/torch-recurrent.safetensors", sds)


if __name__ == "__main__":
    main()
