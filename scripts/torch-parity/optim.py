"""Differential cases for optimizers (trajectories under given gradients) and LR schedules."""
import torch
from torch import optim
from torch.optim import lr_scheduler as S
from common import Gen, enc, write

STEPS = 6


def camel(k):
    parts = k.split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def optimizer_case(cases, g, cid, name, ctor, opts):
    """Params updated in float64 for STEPS steps under random gradients that do not depend on them."""
    params = [g.randn(3, 2), g.randn(4)]
    grads = [[g.randn(*p.shape) for p in params] for _ in range(STEPS)]
    leaves = [p.clone().requires_grad_(True) for p in params]
    opt = ctor(leaves, **opts)
    traj = []
    for step in grads:
        for p, gr in zip(leaves, step):
            p.grad = gr.clone()
        opt.step()
        traj.append([enc(p, digits=17) for p in leaves])
    cases.append({"id": cid, "kind": "optimizer", "name": name, "options": {camel(k): v for k, v in opts.items()},
                  "params": [enc(p, digits=17) for p in params], "grads": [[enc(x, digits=17) for x in s] for s in grads], "trajectory": traj})


def optimizer_cases(cases, g):
    # NOTE: no NAdam here. PyTorch 1.13 counts μ_t twice in the bias correction of the momentum
    # term (mu_product * mu * mu_next); 2.0 fixed it, and edgegrad follows the fixed form, which
    # tests/optim checks against the formula written out.
    table = [
        ("SGD", optim.SGD, [{"lr": 0.1}, {"lr": 0.1, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3},
                            {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01},
                            {"lr": 0.1, "momentum": 0.9, "maximize": True}]),
        ("Adam", optim.Adam, [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "amsgrad": True},
                              {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6}, {"lr": 0.01, "maximize": True}]),
        ("AdamW", optim.AdamW, [{"lr": 0.01}, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, {"lr": 0.01, "maximize": True}]),
        ("Adamax", optim.Adamax, [{"lr": 0.02}, {"lr": 0.02, "weight_decay": 0.1}]),
        ("RAdam", optim.RAdam, [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1}]),
        ("RMSprop", optim.RMSprop, [{"lr": 0.01}, {"lr": 0.01, "centered": True, "momentum": 0.9}, {"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1},
                                    {"lr": 0.01, "maximize": True}]),
        ("Adagrad", optim.Adagrad, [{"lr": 0.1}, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.05}]),
        ("Adadelta", optim.Adadelta, [{"lr": 1.0}, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}]),
        ("Rprop", optim.Rprop, [{"lr": 0.01}, {"lr": 0.02, "etas": (0.4, 1.3), "step_sizes": (1e-4, 0.1)}]),
        ("ASGD", optim.ASGD, [{"lr": 0.01}, {"lr": 0.01, "lambd": 1e-3, "alpha": 0.5, "t0": 2, "weight_decay": 0.05}]),
    ]
    for name, ctor, variants in table:
        for i, o in enumerate(variants):
            optimizer_case(cases, g, f"optim/{name}/{i}", name, ctor, o)


# Functions of the epoch cannot travel as JSON: cases name them, and the test defines the same.
LAMBDAS = {"pow95": lambda e: 0.95 ** e, "halfUntil3": lambda e: 0.5 if e < 3 else 1.0, "const9": lambda e: 0.9}


def build(opt, spec):
    name, o = spec["name"], dict(spec.get("options", {}))
    snake = {"stepSize": "step_size", "tMax": "T_max", "etaMin": "eta_min", "t0": "T_0", "tMult": "T_mult",
             "startFactor": "start_factor", "endFactor": "end_factor", "totalIters": "total_iters",
             "lrLambda": "lr_lambda", "maxLr": "max_lr", "totalSteps": "total_steps", "pctStart": "pct_start",
             "annealStrategy": "anneal_strategy", "threePhase": "three_phase", "divFactor": "div_factor",
             "finalDivFactor": "final_div_factor", "baseLr": "base_lr", "stepSizeUp": "step_size_up",
             "stepSizeDown": "step_size_down", "cycleMomentum": "cycle_momentum", "baseMomentum": "base_momentum",
             "maxMomentum": "max_momentum"}
    kw = {}
    for k, v in o.items():
        if k == "lrLambda":
            v = LAMBDAS[v["$fn"]]
        elif k == "schedulers":
            v = [build(opt, s) for s in v]
        kw[snake.get(k, k)] = v
    cls = {"CosineAnnealingWarmRestarts": S.CosineAnnealingWarmRestarts}.get(name) or getattr(S, name)
    return cls(opt, **kw) if name != "ChainedScheduler" else cls(kw["schedulers"])


def scheduler_case(cases, cid, optimizer, specs, steps=25):
    """lr (and momentum or beta1) after construction and after each epoch's scheduler steps."""
    p = torch.zeros(2, requires_grad=True)
    opt = (optim.SGD([p], lr=0.1, momentum=0.9) if optimizer == "SGD" else optim.Adam([p], lr=0.1))
    scheds = [build(opt, s) for s in specs]
    nested = {id(inner) for s in scheds for inner in getattr(s, "_schedulers", [])}

    def snap():
        g = opt.param_groups[0]
        return [g["lr"], g["momentum"] if optimizer == "SGD" else g["betas"][0]]
    seq = [snap()]
    for _ in range(steps):
        opt.step()
        for s in scheds:
            if id(s) not in nested:
                s.step()
        seq.append(snap())
    cases.append({"id": cid, "kind": "scheduler", "optimizer": optimizer, "schedulers": specs, "sequence": seq})


def sched(name, **o):
    return {"name": name, "options": o}


def scheduler_cases(cases):
    singles = [
        sched("StepLR", stepSize=3, gamma=0.5), sched("MultiStepLR", milestones=[2, 5, 9], gamma=0.3),
        sched("ExponentialLR", gamma=0.9), sched("CosineAnnealingLR", tMax=10, etaMin=0.001),
        sched("CosineAnnealingWarmRestarts", t0=4, tMult=2, etaMin=0.01),
        sched("LinearLR", startFactor=0.25, endFactor=1.0, totalIters=6), sched("ConstantLR", factor=0.5, totalIters=4),
        sched("LambdaLR", lrLambda={"$fn": "pow95"}), sched("MultiplicativeLR", lrLambda={"$fn": "const9"}),
        sched("PolynomialLR", totalIters=8, power=2.0),
    ]
    for s in singles:
        scheduler_case(cases, f"sched/{s['name']}", "SGD", [s])
    chains = [(1, 2), (0, 3), (5, 2), (1, 3), (6, 2), (9, 0), (7, 1)]
    for a, b in chains:
        scheduler_case(cases, f"sched/chain/{singles[a]['name']}+{singles[b]['name']}", "SGD", [singles[a], singles[b]])
    scheduler_case(cases, "sched/OneCycleLR/sgd", "SGD", [sched("OneCycleLR", maxLr=0.5, totalSteps=25)], steps=24)
    scheduler_case(cases, "sched/OneCycleLR/adam-linear", "Adam", [sched("OneCycleLR", maxLr=0.5, totalSteps=25, annealStrategy="linear")], steps=24)
    scheduler_case(cases, "sched/OneCycleLR/three-phase", "SGD", [sched("OneCycleLR", maxLr=0.3, totalSteps=20, threePhase=True, pctStart=0.25)], steps=19)
    scheduler_case(cases, "sched/CyclicLR/triangular2", "SGD", [sched("CyclicLR", baseLr=0.01, maxLr=0.1, stepSizeUp=4, mode="triangular2")])
    scheduler_case(cases, "sched/CyclicLR/exp_range", "SGD", [sched("CyclicLR", baseLr=0.01, maxLr=0.1, stepSizeUp=3, stepSizeDown=5, mode="exp_range", gamma=0.9)])
    scheduler_case(cases, "sched/SequentialLR", "SGD", [sched("SequentialLR", schedulers=[sched("ConstantLR", factor=0.1, totalIters=2),
                                                                                          sched("ExponentialLR", gamma=0.9)], milestones=[2])])
    scheduler_case(cases, "sched/ChainedScheduler", "SGD", [sched("ChainedScheduler", schedulers=[sched("ConstantLR", factor=0.1, totalIters=3),
                                                                                                  sched("ExponentialLR", gamma=0.9)])])


def main():
    cases, g = [], Gen(2)
    optimizer_cases(cases, g)
    scheduler_cases(cases)
    write("tests/parity/cases/optim.json", cases)


if __name__ == "__main__":
    main()
