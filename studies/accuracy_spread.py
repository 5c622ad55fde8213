"""Measure how far the fit's test accuracy moves between runs, per backend and recipe, to ground the
accuracy gate's tolerance and seed count.

For each seed it trains, from the same initial weights:
- float32 on data order `seed` (`f32`, the gate's baseline);
- float32 on order `seed + 1000` (`f32_aa`: an A/A pair, float32 against float32 on another order);
- float32 on order `seed` again, for the first `--same-order` seeds (`f32_same`: is the backend
  deterministic?);
- each mixed policy on order `seed` (the gate's pairing);
- with `--plant SHIFT`, each mixed model is then damaged as studies/planted_accuracy.py does and
  evaluated again (`planted_accuracy`): the plugin applies the same damage at the same point.
Every run is one JSON line (backend, recipe, seed, run, accuracy, seconds); `--summary FILE...` reads
them back and prints the spreads and what the gate (mpmodel.measure.accuracy) would decide.

    KERAS_BACKEND=torch python studies/accuracy_spread.py --recipe decay --seeds 16 --json runs.jsonl
    KERAS_BACKEND=tensorflow python studies/accuracy_spread.py --workload conv --policies mixed_bfloat16 --plant 1,2
    python studies/accuracy_spread.py --summary runs.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def _runs(seed: int, policies: list[str], same_order: bool):
    yield "f32", "float32", seed
    yield "f32_aa", "float32", seed + 1000
    if same_order:
        yield "f32_same", "float32", seed
    for p in policies:
        yield p, p, seed


def measure(args) -> int:
    import keras

    from mpmodel.core.model import build_model
    from mpmodel.core.profiles import resolve_profile
    from mpmodel.core.recipes import get_recipe
    from mpmodel.core.training import evaluate_test, evaluation_batch, fit_recipe

    profile, recipe = resolve_profile(args.workload, args.profile), get_recipe(args.recipe)
    data = profile.workload.data_for(profile.size, args.data, offline=False)
    policies = [p for p in args.policies.split(",") if p]
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from planted_accuracy import damage

    n_validation = int(data.x_train.shape[0] * profile.validation_split)
    eval_batch = evaluation_batch(n_validation, data.x_test.shape[0], profile.batch_size)
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for label, policy, order in _runs(seed, policies, seed - args.first_seed < args.same_order):
            start = time.perf_counter()
            model = build_model(policy, profile, seed=seed)
            result = fit_recipe(model, data, profile, order_seed=order, recipe=recipe)
            run = {"backend": keras.backend.backend(), "workload": profile.workload.name, "profile": profile.name,
                   "recipe": recipe.name,
                   "data": data.source, "seed": seed, "run": label, "test_accuracy": result.test_accuracy,
                   "test_loss": result.test_loss, "seconds": round(time.perf_counter() - start, 2)}
            shifts = [float(v) for v in args.plant.split(",") if float(v) > 0]
            if shifts and policy != "float32":
                done = 0.0
                for shift in shifts:  # cumulative: each shift adds what the one before it had not
                    damage(model, shift - done)
                    done = shift
                    run.setdefault("planted_accuracies", {})[str(shift)] = evaluate_test(model, data, eval_batch)[1]
                run["plant"] = shifts[0]
                run["planted_accuracy"] = run["planted_accuracies"][str(shifts[0])]
            print(json.dumps(run), flush=True)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(json.dumps(run) + "\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="mlp", help="a workload name (mlp, conv, transformer) or package.module:factory")
    ap.add_argument("--profile", default="small")
    ap.add_argument("--recipe", default="decay")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--same-order", type=int, default=2, help="seeds that also train float32 on the same order twice")
    ap.add_argument("--data", default="auto")
    ap.add_argument("--policies", default="mixed_bfloat16,mixed_float16")
    ap.add_argument("--plant", default="0", help="also evaluate each mixed model with these planted shifts "
                    "(comma-separated, increasing; the first is the one summarised)")
    ap.add_argument("--json", help="append every run here as a JSON line")
    ap.add_argument("--summary", nargs="+", metavar="FILE", help="summarise JSON lines instead of measuring")
    args = ap.parse_args(argv)
    if args.summary:
        from accuracy_summary import summarise
        return summarise(args.summary)
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
