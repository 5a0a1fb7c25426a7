"""Differential cases for eg.fft: torch.fft.* and torch.stft(return_complex=True), complex results
viewed as real (view_as_real: a trailing (re, im) dim), in float64: the values, and the gradients
of a random weighted sum of the output. Windows and frequencies are values only.
For tests/parity/fft.test.ts, which calls eg.fft.<fn>(...args) and compares in float64, so every
number is written with all 17 significant digits.
"""
import torch
from common import Gen, T, enc, write

FULL = 17


def case(cases, g, cid, fn, args, inputs, torch_fn, terms, grad=True):
    leaves = {k: v.clone().requires_grad_(grad) for k, v in inputs.items()}
    out = torch_fn(**leaves)
    c = {"id": cid, "fn": fn, "args": args, "terms": terms,
         "inputs": {k: enc(v, digits=FULL) for k, v in inputs.items()}, "output": enc(out, digits=FULL)}
    if grad:
        cot = g.randn(*out.shape)
        grads = torch.autograd.grad((out * cot).sum(), list(leaves.values()))
        c["cotangent"] = enc(cot, digits=FULL)
        c["grads"] = {k: enc(gr, digits=FULL) for k, gr in zip(leaves, grads)}
    cases.append(c)


def opts(**kw):
    return {k: v for k, v in kw.items() if v is not None}


def transform_cases(cases, g):
    c = torch.view_as_complex
    r = torch.view_as_real
    for shape, n, dim, norm in [((6,), None, -1, None), ((3, 5), 8, 1, "ortho"), ((7, 2), 4, 0, "forward"), ((2, 17), None, -1, "backward"),
                                ((1, 12), 5, -1, None), ((2, 3, 4), 9, 1, "ortho"), ((1,), None, 0, None), ((100,), None, 0, "ortho")]:
        x = g.randn(*shape, 2)
        name = f"{'x'.join(map(str, shape))}-n{n}-d{dim}-{norm}"
        o = opts(n=n, dim=dim, norm=norm)
        case(cases, g, f"fft/{name}", "fft", [T("x"), o], {"x": x}, lambda x, n=n, dim=dim, norm=norm: r(torch.fft.fft(c(x), n=n, dim=dim, norm=norm)), max(shape))
        case(cases, g, f"ifft/{name}", "ifft", [T("x"), o], {"x": x}, lambda x, n=n, dim=dim, norm=norm: r(torch.fft.ifft(c(x), n=n, dim=dim, norm=norm)), max(shape))
        xr = g.randn(*shape)
        case(cases, g, f"rfft/{name}", "rfft", [T("x"), o], {"x": xr}, lambda x, n=n, dim=dim, norm=norm: r(torch.fft.rfft(x, n=n, dim=dim, norm=norm)), max(shape))
        if n is not None or shape[dim] > 1:
            case(cases, g, f"irfft/{name}", "irfft", [T("x"), o], {"x": x},
                 lambda x, n=n, dim=dim, norm=norm: torch.fft.irfft(c(x), n=n, dim=dim, norm=norm), 2 * max(shape) + (n or 0))
    for shape, s, norm in [((3, 4), None, None), ((2, 5, 3), (4, 4), "ortho"), ((6, 7), (3, 9), "forward")]:
        x = g.randn(*shape, 2)
        o = opts(s=list(s) if s else None, norm=norm)
        name = f"{'x'.join(map(str, shape))}-s{s}-{norm}"
        case(cases, g, f"fft2/{name}", "fft2", [T("x"), o], {"x": x}, lambda x, s=s, norm=norm: r(torch.fft.fft2(c(x), s=s, norm=norm)), 64)
        case(cases, g, f"ifft2/{name}", "ifft2", [T("x"), o], {"x": x}, lambda x, s=s, norm=norm: r(torch.fft.ifft2(c(x), s=s, norm=norm)), 64)
        xr = g.randn(*shape)
        case(cases, g, f"rfft2/{name}", "rfft2", [T("x"), o], {"x": xr}, lambda x, s=s, norm=norm: r(torch.fft.rfft2(x, s=s, norm=norm)), 64)


def stft_cases(cases, g):
    for cid, shape, n_fft, kw, win in [("1d-default", (40,), 8, {}, None), ("batch-hann", (2, 50), 16, dict(hop_length=4), ("hann", 16)),
                                        ("winlength", (33,), 12, dict(hop_length=5, win_length=9), ("random", 9)),
                                        ("no-center-two-sided", (2, 30), 7, dict(hop_length=3, center=False, onesided=False), ("hamming", 7)),
                                        ("constant-normalized", (25,), 10, dict(pad_mode="constant", normalized=True), ("blackman", 10)),
                                        ("audio-400", (1, 800), 400, dict(hop_length=200), ("hann", 400))]:
        inputs = {"x": g.randn(*shape)}
        o = {"hopLength": kw.get("hop_length"), "winLength": kw.get("win_length"), "center": kw.get("center"),
             "padMode": kw.get("pad_mode"), "normalized": kw.get("normalized"), "onesided": kw.get("onesided")}
        o = {k: v for k, v in o.items() if v is not None}
        if win is not None:
            kind, length = win
            w = {"hann": torch.hann_window, "hamming": torch.hamming_window, "blackman": torch.blackman_window}.get(kind)
            inputs["w"] = w(length, dtype=torch.float64) if w else g.rand(length, lo=0.2, hi=1.0)
            o["window"] = T("w")

        def f(x, w=None, kw=kw):
            return torch.view_as_real(torch.stft(x, n_fft, window=w, return_complex=True, **kw))
        case(cases, g, f"stft/{cid}", "stft", [T("x"), n_fft, o], inputs, f, n_fft)


def istft_cases(cases, g):
    for cid, n_fft, frames, kw, win in [("default", 8, 9, {}, None), ("hann-length", 16, 7, dict(hop_length=4, length=30), "hann"),
                                        ("no-center-normalized", 6, 5, dict(hop_length=2, center=False, normalized=True), "random"),
                                        ("two-sided-winlength", 10, 6, dict(hop_length=3, win_length=8, onesided=False), "hamming")]:
        bins = n_fft // 2 + 1 if kw.get("onesided", True) else n_fft
        inputs = {"x": g.randn(2, bins, frames, 2)}
        o = {"hopLength": kw.get("hop_length"), "winLength": kw.get("win_length"), "center": kw.get("center"),
             "normalized": kw.get("normalized"), "onesided": kw.get("onesided"), "length": kw.get("length")}
        o = {k: v for k, v in o.items() if v is not None}
        if win is not None:
            length = kw.get("win_length", n_fft)
            inputs["w"] = {"hann": lambda: torch.hann_window(length, dtype=torch.float64), "hamming": lambda: torch.hamming_window(length, dtype=torch.float64),
                           "random": lambda: g.rand(length, lo=0.5, hi=1.0)}[win]()
            o["window"] = T("w")

        def f(x, w=None, kw=kw):
            return torch.istft(torch.view_as_complex(x), n_fft, window=w, **kw)
        case(cases, g, f"istft/{cid}", "istft", [T("x"), n_fft, o], inputs, f, n_fft)


def value_cases(cases):
    for fn, torch_fn in [("hannWindow", torch.hann_window), ("hammingWindow", torch.hamming_window), ("blackmanWindow", torch.blackman_window)]:
        for n in (1, 2, 5, 16, 400):
            for periodic in (True, False):
                out = torch_fn(n, periodic=periodic, dtype=torch.float64)
                cases.append({"id": f"{fn}/{n}-{'periodic' if periodic else 'symmetric'}", "fn": fn, "args": [n, {"periodic": periodic, "dtype": "float64"}],
                              "terms": 4, "inputs": {}, "output": enc(out, digits=FULL)})
    for n, d in [(1, 1.0), (8, 1.0), (9, 0.5), (16, 1 / 16000)]:
        for fn, torch_fn in [("fftfreq", torch.fft.fftfreq), ("rfftfreq", torch.fft.rfftfreq)]:
            cases.append({"id": f"{fn}/{n}-d{d}", "fn": fn, "args": [n, {"d": d, "dtype": "float64"}], "terms": 2, "inputs": {},
                          "output": enc(torch_fn(n, d=d, dtype=torch.float64), digits=FULL)})


def shift_cases(cases, g):
    for shape, dims in [((5,), None), ((4, 7), None), ((3, 6, 2), [0, 1]), ((4, 5), 1)]:
        o = {} if dims is None else {"dims": dims}
        name = f"{'x'.join(map(str, shape))}-{dims}"
        case(cases, g, f"fftshift/{name}", "fftshift", [T("x"), o], {"x": g.randn(*shape)}, lambda x, dims=dims: torch.fft.fftshift(x, dim=dims), 1)
        case(cases, g, f"ifftshift/{name}", "ifftshift", [T("x"), o], {"x": g.randn(*shape)}, lambda x, dims=dims: torch.fft.ifftshift(x, dim=dims), 1)


def nd_cases(cases, g):
    """fftn/ifftn/rfftn/irfftn, the 2-d forms irfft2/hfft2/ihfft2, and hfft/ihfft/hfftn/ihfftn: s with
    padding, trimming and −1, dims listed out of order, every norm. Appended after the older cases,
    so drawing them leaves those cases' numbers as they were."""
    c = torch.view_as_complex

    def r(t):
        return torch.view_as_real(t.resolve_conj())

    def name(shape, s, dim, norm):
        return f"{'x'.join(map(str, shape))}-s{s}-d{dim}-{norm}".replace(" ", "")

    for shape, s, dim, norm in [((3, 4, 5), None, None, None), ((2, 3, 4), [5, -1], None, "ortho"),
                                ((4, 3, 5), [3, 6], [2, 0], "forward"), ((3, 5), None, 1, "backward")]:
        # No dim=[] case: PyTorch 1.13 returns uninitialized memory for it; edgegrad returns a copy.
        o = opts(s=s, dim=dim, norm=norm)
        x = g.randn(*shape, 2)
        for fn in ("fftn", "ifftn"):
            tf = getattr(torch.fft, fn)
            case(cases, g, f"{fn}/{name(shape, s, dim, norm)}", fn, [T("x"), o], {"x": x},
                 lambda x, tf=tf, s=s, dim=dim, norm=norm: r(tf(c(x), s=s, dim=dim, norm=norm)), 64)
    for shape, s, dim, norm in [((3, 4, 5), None, None, None), ((2, 5, 6), [4, 7], None, "ortho"),
                                ((4, 3, 5), [3, 6], [2, 0], "forward"), ((3, 6), [-1, 9], [1, 0], None), ((7,), [4], None, "backward")]:
        o = opts(s=s, dim=dim, norm=norm)
        for fn, real_in in (("rfftn", True), ("irfftn", False), ("hfftn", False), ("ihfftn", True)):
            tf = getattr(torch.fft, fn)
            x = g.randn(*shape) if real_in else g.randn(*shape, 2)
            wrap = (lambda t: r(t)) if real_in else (lambda t: t)
            arg = (lambda x: x) if real_in else c
            case(cases, g, f"{fn}/{name(shape, s, dim, norm)}", fn, [T("x"), o], {"x": x},
                 lambda x, tf=tf, s=s, dim=dim, norm=norm, wrap=wrap, arg=arg: wrap(tf(arg(x), s=s, dim=dim, norm=norm)), 128)
    for shape, s, dim, norm in [((3, 4), None, None, None), ((2, 4, 5), [6, 3], None, "ortho"), ((5, 2, 3), [4, 5], [2, 0], "forward")]:
        o = opts(s=s, dim=dim, norm=norm)
        for fn, real_in in (("irfft2", False), ("hfft2", False), ("ihfft2", True)):
            tf = getattr(torch.fft, fn)
            x = g.randn(*shape) if real_in else g.randn(*shape, 2)
            wrap = (lambda t: r(t)) if real_in else (lambda t: t)
            arg = (lambda x: x) if real_in else c
            kw = {} if dim is None else {"dim": dim}
            case(cases, g, f"{fn}/{name(shape, s, dim, norm)}", fn, [T("x"), o], {"x": x},
                 lambda x, tf=tf, s=s, kw=kw, norm=norm, wrap=wrap, arg=arg: wrap(tf(arg(x), s=s, norm=norm, **kw)), 64)
    for shape, n, dim, norm in [((6,), None, -1, None), ((3, 5), 8, 1, "ortho"), ((7, 2), 5, 0, "forward"),
                                ((2, 17), None, -1, "backward"), ((2, 3, 4), 9, 1, "ortho"), ((1,), 1, 0, None)]:
        o = opts(n=n, dim=dim, norm=norm)
        nm = f"{'x'.join(map(str, shape))}-n{n}-d{dim}-{norm}"
        x = g.randn(*shape, 2)
        case(cases, g, f"hfft/{nm}", "hfft", [T("x"), o], {"x": x},
             lambda x, n=n, dim=dim, norm=norm: torch.fft.hfft(c(x), n=n, dim=dim, norm=norm), 2 * max(shape) + (n or 0))
        xr = g.randn(*shape)
        case(cases, g, f"ihfft/{nm}", "ihfft", [T("x"), o], {"x": xr},
             lambda x, n=n, dim=dim, norm=norm: r(torch.fft.ihfft(x, n=n, dim=dim, norm=norm)), max(shape) + (n or 0))


def main():
    g = Gen(8080)
    cases = []
    transform_cases(cases, g)
    stft_cases(cases, g)
    istft_cases(cases, g)
    value_cases(cases)
    shift_cases(cases, g)
    nd_cases(cases, g)
    write("tests/parity/cases/fft.json", cases)


if __name__ == "__main__":
    main()
