"""--mp-budget's plan: the cuts in order, the fewest that fit, and the refusal when even every cut does not."""

import pytest

from mpmodel.measure.budget import NO_CUTS, Asked, Cuts, OverBudget, candidates, plan

ASKED = Asked(pairs={"mlp": (15, 9), "conv": (15, 9)}, accuracy_seeds={"mlp": 3, "conv": 3},
              seed_recipe_seeds={"mlp": 1, "conv": 0}, fp32=("default", "strict"), workloads=("mlp", "conv"))


def cost(cuts: Cuts) -> float:
    """A made-up run: 100 s a workload and float32 variant, less 3 s a pair and 20 s a seed cut."""
    workloads = len(cuts.workloads or ASKED.workloads)
    variants = len(cuts.fp32 or ASKED.fp32)
    saved = 3 * (15 - (cuts.pairs or 15)) + 20 * (3 - (cuts.accuracy_seeds or 3)) + (10 if cuts.seed_recipe_seeds == 0 else 0)
    return workloads * variants * (100 - saved)


def test_the_cuts_come_in_order_each_on_top_of_the_last():
    steps = candidates(ASKED)
    assert [what for _, what in steps] == ["speedup pairs 15 -> 9", "accuracy seeds 3 -> 2",
                                           "the seed recipe's reported fits", "the float32 strict variant",
                                           "workload conv"]
    assert steps[-1][0] == Cuts(pairs=9, accuracy_seeds=2, seed_recipe_seeds=0, fp32=("default",), workloads=("mlp",))


def test_a_run_that_fits_is_not_cut():
    cuts, line = plan(600, ASKED, cost)
    assert cuts == NO_CUTS and line == "mpmodel budget: 10.0 min (--mp-budget): the run takes up to 6.7 min, nothing cut"


def test_the_fewest_cuts_that_fit_are_kept_and_said():
    cuts, line = plan(300, ASKED, cost)  # pairs alone: 4 x 82 = 328 s; and the seeds: 4 x 62 = 248 s
    assert cuts == Cuts(pairs=9, accuracy_seeds=2)
    assert line == ("mpmodel budget: 5.0 min (--mp-budget): the run would take up to 6.7 min; cut to fit: speedup pairs "
                    "15 -> 9, accuracy seeds 3 -> 2; now up to 4.1 min")


def test_a_budget_even_every_cut_exceeds_is_refused_in_one_line():
    with pytest.raises(OverBudget) as exc:
        plan(10, ASKED, cost)
    assert str(exc.value) == (
        "--mp-budget 0.166667: even the least run with every cut (speedup pairs 15 -> 9, accuracy seeds 3 -> 2, the seed "
        "recipe's reported fits, the float32 strict variant, workload conv) takes up to 52 s, over the budget; raise "
        "it, or narrow the run (--mp-policies, --mp-workload, --mp-memory off)")


def test_a_cut_names_what_of_a_step_it_removed():
    cuts = Cuts(fp32=("default",), workloads=("mlp",))
    assert cuts.cut("conv", "default") == "workload conv"
    assert cuts.cut("mlp", "strict") == "the float32 strict variant"
    assert cuts.cut("mlp", "default") is None and NO_CUTS.cut("conv", "strict") is None
