"""PyTorch cases for packed sequences (tests/parity/cases/packed-sequence.json): RNN (tanh, relu),
LSTM and GRU run on torch.nn.utils.rnn.pack_padded_sequence over numLayers 1-2 x bidirectional,
with batch_first, given initial states and enforce_sorted (true: lengths in decreasing order, with
a tie; false: distinct lengths in no order, so the sort is unambiguous) spread over the cases.
PyTorch's parameters are loaded; the packed output (data, batch_sizes, sorted/unsorted indices),
hN (and cN), pad_packed_sequence of the output, and the gradients of the padded input, h0 (and c0)
and every parameter for fixed cotangents of the packed data and the final states are compared
(tests/parity/packed-sequence.test.ts).

Run from the repository root with PyTorch 1.13:
/usr/bin/python3 -c "import sys; sys.path.insert(0,'scripts/torch-parity'); import packed_sequence; packed_sequence.main()"
"""
import torch
from common import RECURRENT_CELLS as CELLS, Gen, enc, recurrent_grads, recurrent_inputs, recurrent_settings, write

nn = torch.nn
rnn_utils = torch.nn.utils.rnn
T, B, I, H = 5, 4, 3, 5
SORTED_LENGTHS = [5, 3, 3, 1]
UNSORTED_LENGTHS = [2, 5, 1, 4]


def ints(values):
    return [int(v) for v in values]


def packed_case(cases, cid, cell, layers, bidirectional, batch_first, with_state, enforce_sorted, g):
    name = cell.split("-")[0]
    extra = CELLS[cell]
    module = getattr(nn, name)(I, H, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, **extra)
    ours = {"numLayers": layers, "bidirectional": bidirectional, "batchFirst": batch_first, **extra}
    for p in module.parameters():
        p.data = g.randn(*p.shape, scale=0.5)
    d = 2 if bidirectional else 1
    lengths = SORTED_LENGTHS if enforce_sorted else UNSORTED_LENGTHS
    x = g.randn(B, T, I) if batch_first else g.randn(T, B, I)
    h0, c0 = g.randn(layers * d, B, H, scale=0.5), g.randn(layers * d, B, H, scale=0.5)
    lstm = name == "LSTM"
    xi, hi, ci = (t.clone().requires_grad_(True) for t in (x, h0, c0))
    packed = rnn_utils.pack_padded_sequence(xi, torch.tensor(lengths), batch_first=batch_first,
                                            enforce_sorted=enforce_sorted)
    state = ((hi, ci) if lstm else hi) if with_state else None
    out, hn = module(packed, state)
    hn, cn = hn if lstm else (hn, None)
    padded, out_lengths = rnn_utils.pad_packed_sequence(out, batch_first=batch_first, padding_value=-1.5,
                                                        total_length=T + 1)
    finals = [out.data, hn, *([cn] if lstm else [])]
    cots = [g.randn(*t.shape) for t in finals]
    sum((t * c).sum() for t, c in zip(finals, cots)).backward()
    case = {"id": cid, "ctor": {"name": name, "args": [I, H, ours]}, "lstm": lstm, "withState": with_state,
            "enforceSorted": enforce_sorted, "lengths": lengths, **recurrent_inputs(module, x, h0, c0),
            "data": enc(out.data), "batchSizes": ints(out.batch_sizes),
            "sortedIndices": None if out.sorted_indices is None else ints(out.sorted_indices),
            "unsortedIndices": None if out.unsorted_indices is None else ints(out.unsorted_indices),
            "hN": enc(hn), "padded": enc(padded), "paddedLengths": ints(out_lengths),
            **recurrent_grads(module, cots, xi, hi, ci, cn, with_state)}
    cases.append(case)


def main():
    cases, g = [], Gen(23)
    for cell in CELLS:
        for cid, (layers, bidirectional, batch_first, with_state, enforce_sorted) in recurrent_settings(cell):
            packed_case(cases, cid + ('-sorted' if enforce_sorted else '-unsorted'), cell, layers, bidirectional, batch_first,
                        with_state, enforce_sorted, g)
    write("tests/parity/cases/packed-sequence.json", cases)


if __name__ == "__main__":
    main()
