using Clarity.Engine.Signals;

namespace Clarity.Engine.Interpretation;

/// <summary>Signed evidence a signal gives for the affinity of its item's category.</summary>
public sealed class AffinityInterpreter(AffinityWeights weights)
{
    /// <summary>Positive supports "interested in the category", negative contradicts it.</summary>
    public double Weight(Signal signal) => signal.Type switch
    {
        SignalType.View => weights.View,
        SignalType.Click => weights.Click,
        SignalType.AddToCart => weights.AddToCart,
        // A gift says nothing about the buyer's own tastes.
        SignalType.Purchase => signal.Ctx.Gift ? 0 : weights.Purchase,
        SignalType.Return => signal.Ctx.Gift ? 0 : -weights.Return,
        SignalType.Rating => signal.Value is { } stars ? (stars - 3) * weights.RatingPerStar : 0,
        // A consume counts in proportion to how much of it was completed: a sampled episode is weak.
        SignalType.Consume => signal.Value is { } fraction ? weights.Consume * Math.Clamp(fraction, 0, 1) : 0,
        SignalType.Impression => -weights.Impression,
        SignalType.Dismiss => -weights.Dismiss,
        _ => 0,
    };
}
