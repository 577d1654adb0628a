using Clarity.Engine.Signals;

namespace Clarity.Engine.Interpretation;

/// <summary>Signed evidence a signal gives for the affinity of its item's category.</summary>
public sealed class AffinityInterpreter(AffinityWeights weights)
{
    /// <summary>Positive supports "interested in the category", negative contradicts it.</summary>
    public double Weight(Signal signal) => Weight(signal.Type, signal.Ctx.Gift, signal.Value);

    /// <summary>As <see cref="Weight(Signal)"/>, for the signal as the engine stores and reads it.</summary>
    internal double Weight(in SignalEntry signal) => Weight(signal.Type, signal.Ctx.Gift, signal.Value);

    private double Weight(SignalType type, bool gift, double? value) => type switch
    {
        SignalType.View => weights.View,
        SignalType.Click => weights.Click,
        SignalType.AddToCart => weights.AddToCart,
        // A gift says nothing about the buyer's own tastes.
        SignalType.Purchase => gift ? 0 : weights.Purchase,
        SignalType.Return => gift ? 0 : -weights.Return,
        SignalType.Rating => value is { } stars ? (stars - 3) * weights.RatingPerStar : 0,
        // A consume counts in proportion to how much of it was completed: a sampled episode is weak.
        SignalType.Consume => value is { } fraction ? weights.Consume * Math.Clamp(fraction, 0, 1) : 0,
        SignalType.Impression => -weights.Impression,
        SignalType.Dismiss => -weights.Dismiss,
        _ => 0,
    };
}
