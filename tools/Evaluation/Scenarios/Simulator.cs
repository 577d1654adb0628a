using System.Globalization;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;

namespace Clarity.Evaluation.Scenarios;

/// <summary>One simulated event; <see cref="Day"/> counts from <see cref="Simulator.Start"/>.</summary>
public sealed record SimEvent(double Day, SignalType Type, int Item, double? Value = null, bool Gift = false)
{
    public bool IsPositive => Type is SignalType.View or SignalType.Click or SignalType.AddToCart or SignalType.Purchase
        || (Type == SignalType.Consume && Value >= 0.5) || (Type == SignalType.Rating && Value >= 4);

    /// <summary>Engagement that shows interest: not a mere view or impression.</summary>
    public bool IsEngagement => Type is SignalType.Click or SignalType.AddToCart
        || (Type == SignalType.Purchase && !Gift)
        || (Type == SignalType.Consume && Value >= 0.5) || (Type == SignalType.Rating && Value >= 4);
}

/// <summary>A proposition the simulator knows to be true (or false) of a user at an instant.</summary>
public sealed record Truth(BeliefKind Kind, string Subject, bool Holds, string Why, double? NextDay = null);

/// <summary>A simulated user: the latent parameters and the event stream they generated.</summary>
public sealed class SimUser
{
    public required int Index { get; init; }

    public required string Id { get; init; }

    public required Archetype Archetype { get; init; }

    /// <summary>Liked categories before <see cref="ChangeDay"/> and after (the same unless the taste changes).</summary>
    public required int[] LikedBefore { get; init; }

    public required int[] LikedAfter { get; init; }

    public double ChangeDay { get; init; } = double.PositiveInfinity;

    public int Ignored { get; init; } = -1;

    public double IgnoreDay { get; init; } = double.PositiveInfinity;

    /// <summary>Probability of buying at each tier (budget, mid, premium).</summary>
    public required double[] TierPreference { get; init; }

    public int GiftCategory { get; init; } = -1;

    public int ReplenishItem { get; init; } = -1;

    public double ReplenishInterval { get; init; }

    public int[] Genres { get; init; } = [];

    public List<SimEvent> Events { get; } = [];

    /// <summary>Every media consume of an alternator: genre, position in the streak (1-based) and the streak's planned length.</summary>
    public List<(double Day, int Genre, int Position, int Planned)> Streaks { get; } = [];

    public int[] Liked(double day)
    {
        var liked = day < ChangeDay ? LikedBefore : LikedAfter;
        return day >= IgnoreDay ? [.. liked.Where(c => c != Ignored)] : liked;
    }
}

/// <summary>Parameters of a simulation; every rate is fixed a priori (documented in the README), never tuned.</summary>
public sealed record ScenarioSettings(int Users, int Seed)
{
    public double Days { get; init; } = 400;

    /// <summary>Validation cut: beliefs as of this day, outcomes after it (tuning only).</summary>
    public double ValidationCut { get; init; } = 220;

    /// <summary>Test cut: beliefs as of this day, outcomes after it (reported once per configuration).</summary>
    public double TestCut { get; init; } = 310;
}

/// <summary>
/// Generates users of every archetype with fixed seeds (user i's stream depends only on the seed and i),
/// producing views, clicks, add-to-cart, purchases with prices, returns, impressions, dismissals,
/// consumes and ratings over a category tree with durable and replenishable leaves.
/// </summary>
public sealed class Simulator
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Catalog _catalog;
    private readonly ScenarioSettings _settings;
    private readonly int[] _durable;
    private readonly int[] _replenishable;
    private readonly int[] _media;
    private readonly int[] _browsable;

    public Simulator(Catalog catalog, ScenarioSettings settings)
    {
        _catalog = catalog;
        _settings = settings;
        _durable = catalog.Of(CategoryRole.Durable);
        _replenishable = catalog.Of(CategoryRole.Replenishable);
        _media = catalog.Of(CategoryRole.Media);
        _browsable = [.. catalog.Of(CategoryRole.Regular), .. _media];
    }

    public static DateTimeOffset At(double day) => Start.AddTicks((long)Math.Round(day * TimeSpan.TicksPerDay));

    public static double DayOf(DateTimeOffset time) => (time - Start).Ticks / (double)TimeSpan.TicksPerDay;

    public List<SimUser> Generate()
    {
        var archetypes = Enum.GetValues<Archetype>();
        var users = new List<SimUser>(_settings.Users);
        for (var i = 0; i < _settings.Users; i++)
        {
            var random = new Random(unchecked(_settings.Seed * 1_000_003 + i * 7919));
            var user = Create(i, archetypes[i % archetypes.Length], random);
            Simulate(user, random);
            user.Events.Sort((a, b) => a.Day.CompareTo(b.Day));
            users.Add(user);
        }
        return users;
    }

    private SimUser Create(int index, Archetype archetype, Random random)
    {
        int[] Pick(int[] from, int n, IEnumerable<int>? except = null)
        {
            var pool = from.Except(except ?? []).ToArray();
            random.Shuffle(pool);
            return pool[..Math.Min(n, pool.Length)];
        }
        var id = string.Create(CultureInfo.InvariantCulture, $"sim-{index:0000}-{archetype}");
        double[] mixed = [0.35, 0.5, 0.15];
        switch (archetype)
        {
            case Archetype.TasteChange:
            {
                var before = Pick(_browsable, 2);
                var after = Pick(_browsable, 2, before);
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = before, LikedAfter = after,
                    ChangeDay = _settings.TestCut * (0.35 + 0.2 * random.NextDouble()), TierPreference = mixed,
                };
            }
            case Archetype.Ignorer:
            {
                var liked = Pick(_browsable, 3);
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = liked, LikedAfter = liked,
                    Ignored = liked[0], IgnoreDay = _settings.TestCut * (0.45 + 0.2 * random.NextDouble()), TierPreference = mixed,
                };
            }
            case Archetype.GiftBuyer:
            {
                int[] giftable = [.. _browsable.Where(c => _catalog.Categories[c].Role == CategoryRole.Regular)];
                var gift = giftable[random.Next(giftable.Length)];
                var liked = Pick(_browsable, 2, [gift]);
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = liked, LikedAfter = liked,
                    GiftCategory = gift, TierPreference = mixed,
                };
            }
            case Archetype.GenreAlternator:
            {
                var genres = Pick(_media, 3);
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = genres, LikedAfter = genres,
                    Genres = genres, TierPreference = mixed,
                };
            }
            case Archetype.PremiumBuyer:
            {
                var liked = Pick(_browsable, 3);
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = liked, LikedAfter = liked,
                    TierPreference = [0.05, 0.1, 0.85],
                };
            }
            case Archetype.Replenisher:
            {
                var liked = Pick(_browsable, 2);
                var category = _replenishable[random.Next(_replenishable.Length)];
                var items = _catalog.ItemsOf[category];
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = liked, LikedAfter = liked,
                    TierPreference = mixed, ReplenishItem = items[random.Next(items.Length)],
                    ReplenishInterval = 20 + 25 * random.NextDouble(),
                };
            }
            default:
            {
                var liked = Pick(_browsable, 2 + random.Next(2));
                return new SimUser
                {
                    Index = index, Id = id, Archetype = archetype, LikedBefore = liked, LikedAfter = liked,
                    TierPreference = mixed,
                };
            }
        }
    }

    private void Simulate(SimUser user, Random random)
    {
        // A session every 3 to 10 days: a regular customer of a shop, not a daily visitor.
        var activity = 0.1 + 0.2 * random.NextDouble();
        var satiatedUntil = new double[_catalog.Categories.Count];
        var researcher = user.Archetype == Archetype.Researcher;

        // Planned durable needs: replacement buyers need one durable item shortly before each cut.
        var needs = new List<(double Day, int Category, bool Replacement)>();
        if (user.Archetype == Archetype.ReplacementBuyer)
        {
            var two = _durable.OrderBy(_ => random.Next()).Take(2).ToArray();
            // Shortly before each cut: the moment a recommender is most tempted to show more of the same.
            needs.Add((_settings.ValidationCut - 30 + 29 * random.NextDouble(), two[0], true));
            needs.Add((_settings.TestCut - 30 + 29 * random.NextDouble(), two[1], true));
        }
        var nextGift = user.GiftCategory >= 0 ? 20 + 60 * random.NextDouble() : double.PositiveInfinity;
        var nextRefill = user.ReplenishItem >= 0 ? user.ReplenishInterval * random.NextDouble() : double.PositiveInfinity;
        var genre = user.Genres.Length > 0 ? user.Genres[0] : -1;
        var planned = 3 + random.Next(4);
        var done = 0;

        for (var day = 0; day < _settings.Days; day++)
        {
            // Unplanned durable needs: a rare hazard per durable category.
            foreach (var c in _durable)
            {
                if (day >= satiatedUntil[c] && random.NextDouble() < 1.0 / 900)
                {
                    needs.Add((day + random.NextDouble(), c, false));
                }
            }
            foreach (var need in needs.Where(n => n.Day >= day && n.Day < day + 1).ToList())
            {
                if (need.Day >= satiatedUntil[need.Category])
                {
                    DurablePurchase(user, random, need.Day, need.Category, researcher, need.Replacement);
                    satiatedUntil[need.Category] = need.Day + 1000;
                }
            }
            if (nextGift < day + 1)
            {
                var t = nextGift;
                for (var v = 0; v < 2 + random.Next(3); v++)
                {
                    user.Events.Add(new SimEvent(t + v * 0.002, SignalType.View, Choose(user.GiftCategory, user, random)));
                }
                var gift = Choose(user.GiftCategory, user, random);
                user.Events.Add(new SimEvent(t + 0.01, SignalType.AddToCart, gift, Gift: true));
                user.Events.Add(new SimEvent(t + 0.011, SignalType.Purchase, gift, _catalog.Items[gift].Price, Gift: true));
                nextGift = t + 50 + 60 * random.NextDouble();
            }
            if (nextRefill < day + 1)
            {
                var t = nextRefill;
                if (random.NextDouble() < 0.5)
                {
                    user.Events.Add(new SimEvent(t, SignalType.View, user.ReplenishItem));
                }
                user.Events.Add(new SimEvent(t + 0.001, SignalType.AddToCart, user.ReplenishItem));
                user.Events.Add(new SimEvent(t + 0.002, SignalType.Purchase, user.ReplenishItem, _catalog.Items[user.ReplenishItem].Price));
                nextRefill = t + user.ReplenishInterval * Math.Max(0.6, 1 + 0.1 * Normal(random));
            }
            if (random.NextDouble() >= activity)
            {
                continue;
            }
            var start = day + 0.35 + 0.5 * random.NextDouble();
            var clock = start;
            double Next() => clock += 0.001 + 0.002 * random.NextDouble();

            if (genre >= 0 && random.NextDouble() < 0.7)
            {
                // An alternator's media session: one consume in the current genre, switching after the planned streak.
                var item = Choose(genre, user, random);
                user.Events.Add(new SimEvent(Next(), SignalType.View, item));
                user.Events.Add(new SimEvent(Next(), SignalType.Consume, item, 0.75 + 0.25 * random.NextDouble()));
                done++;
                user.Streaks.Add((clock, genre, done, planned));
                if (random.NextDouble() < 0.3)
                {
                    user.Events.Add(new SimEvent(Next(), SignalType.Rating, item, 4 + random.Next(2)));
                }
                if (done >= planned)
                {
                    var others = user.Genres.Where(g => g != genre).ToArray();
                    genre = others[random.Next(others.Length)];
                    planned = 3 + random.Next(4);
                    done = 0;
                }
            }
            else
            {
                Browse(user, random, Next, researcher);
            }

            // What the site showed in the session: impressions, engaged with only when liked.
            var liked = user.Liked(clock);
            for (var s = 0; s < 4; s++)
            {
                var item = random.Next(_catalog.Items.Count);
                var category = _catalog.Items[item].Category;
                if (liked.Contains(category) && random.NextDouble() < 0.25)
                {
                    user.Events.Add(new SimEvent(Next(), SignalType.Click, item));
                    user.Events.Add(new SimEvent(Next(), SignalType.View, item));
                }
                else
                {
                    user.Events.Add(new SimEvent(Next(), SignalType.Impression, item));
                }
            }
            if (user.Ignored >= 0 && clock >= user.IgnoreDay)
            {
                // The site keeps showing the category the user used to like; it is ignored, sometimes dismissed.
                for (var s = 0; s < 2; s++)
                {
                    var item = Choose(user.Ignored, user, random);
                    user.Events.Add(new SimEvent(Next(), SignalType.Impression, item));
                    if (random.NextDouble() < 0.15)
                    {
                        user.Events.Add(new SimEvent(Next(), SignalType.Dismiss, item));
                    }
                }
            }
        }
    }

    private void Browse(SimUser user, Random random, Func<double> next, bool researcher)
    {
        var t = next();
        var liked = user.Liked(t);
        var isLiked = liked.Length > 0 && random.NextDouble() < 0.85;
        var category = isLiked ? liked[random.Next(liked.Length)] : _browsable[random.Next(_browsable.Length)];
        isLiked = liked.Contains(category);
        var media = _catalog.Categories[category].Role == CategoryRole.Media;
        var views = researcher ? 4 + random.Next(5) : 1 + random.Next(isLiked ? 3 : 2);
        var seen = new List<int>();
        for (var v = 0; v < views; v++)
        {
            var item = Choose(category, user, random, strict: false);
            if (random.NextDouble() < 0.4)
            {
                user.Events.Add(new SimEvent(next(), SignalType.Click, item));
            }
            user.Events.Add(new SimEvent(next(), SignalType.View, item));
            seen.Add(item);
        }
        if (media)
        {
            var item = seen[random.Next(seen.Count)];
            if (isLiked || random.NextDouble() < 0.3)
            {
                user.Events.Add(new SimEvent(next(), SignalType.Consume, item,
                    isLiked ? 0.7 + 0.3 * random.NextDouble() : 0.05 + 0.3 * random.NextDouble()));
                if (random.NextDouble() < 0.25)
                {
                    user.Events.Add(new SimEvent(next(), SignalType.Rating, item, isLiked ? 4 + random.Next(2) : 1 + random.Next(2)));
                }
            }
        }
        var buy = isLiked ? (researcher ? 0.15 : media ? 0.2 : 0.35) : 0.04;
        if (random.NextDouble() < buy)
        {
            var item = Choose(category, user, random);
            user.Events.Add(new SimEvent(next(), SignalType.AddToCart, item));
            user.Events.Add(new SimEvent(next(), SignalType.Purchase, item, _catalog.Items[item].Price));
            if (random.NextDouble() < 0.2)
            {
                user.Events.Add(new SimEvent(next() + 5, SignalType.Rating, item, isLiked ? 4 + random.Next(2) : 2 + random.Next(2)));
            }
            if (random.NextDouble() < (isLiked ? 0.03 : 0.15))
            {
                user.Events.Add(new SimEvent(next() + 3 + 10 * random.NextDouble(), SignalType.Return, item, _catalog.Items[item].Price));
            }
        }
    }

    private void DurablePurchase(SimUser user, Random random, double day, int category, bool researcher, bool replacement)
    {
        // A replacement (the old one broke) is bought the same day after a quick look at two to four
        // models, as a shopper does from a search page; a new acquisition is researched over a few days.
        var sessions = replacement ? 0 : researcher ? 2 + random.Next(3) : 1 + random.Next(2);
        if (replacement)
        {
            var looks = 2 + random.Next(3);
            for (var v = 0; v < looks; v++)
            {
                var look = Choose(category, user, random, strict: false);
                var at = day - 0.02 + 0.004 * v;
                if (random.NextDouble() < 0.5)
                {
                    user.Events.Add(new SimEvent(at - 0.0005, SignalType.Click, look));
                }
                user.Events.Add(new SimEvent(at, SignalType.View, look));
            }
        }
        var t = day - sessions;
        for (var s = 0; s < sessions; s++)
        {
            var views = researcher ? 8 + random.Next(8) : 4 + random.Next(7);
            for (var v = 0; v < views; v++)
            {
                var item = Choose(category, user, random, strict: false);
                t += 0.002;
                if (random.NextDouble() < 0.5)
                {
                    user.Events.Add(new SimEvent(t, SignalType.Click, item));
                }
                user.Events.Add(new SimEvent(t + 0.0005, SignalType.View, item));
            }
            t = Math.Floor(t) + 1 + 0.4;
        }
        var bought = Choose(category, user, random);
        user.Events.Add(new SimEvent(day, SignalType.AddToCart, bought));
        user.Events.Add(new SimEvent(day + 0.001, SignalType.Purchase, bought, _catalog.Items[bought].Price));
        if (random.NextDouble() < 0.3)
        {
            user.Events.Add(new SimEvent(day + 7, SignalType.Rating, bought, 4 + random.Next(2)));
        }
    }

    // An item of the category; purchases (strict) follow the tier preference, views mostly do.
    private int Choose(int category, SimUser user, Random random, bool strict = true)
    {
        int tier;
        if (strict || random.NextDouble() < 0.7)
        {
            var u = random.NextDouble();
            tier = u < user.TierPreference[0] ? 0 : u < user.TierPreference[0] + user.TierPreference[1] ? 1 : 2;
        }
        else
        {
            tier = random.Next(3);
        }
        return _catalog.ItemsOf[category][tier * Catalog.ItemsPerTier + random.Next(Catalog.ItemsPerTier)];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>What is true of <paramref name="user"/> at <paramref name="day"/>: the propositions the engine should hold.</summary>
    public List<Truth> TruthAt(SimUser user, double day)
    {
        var truths = new List<Truth>();
        var liked = user.Liked(day);
        foreach (var c in liked)
        {
            truths.Add(new Truth(BeliefKind.Affinity, _catalog.Categories[c].Path, true, "liked category"));
        }
        if (user.ChangeDay < day)
        {
            foreach (var c in user.LikedBefore.Except(user.LikedAfter))
            {
                truths.Add(new Truth(BeliefKind.Affinity, _catalog.Categories[c].Path, false, "taste changed away"));
            }
        }
        if (user.Ignored >= 0 && user.IgnoreDay < day)
        {
            truths.Add(new Truth(BeliefKind.Affinity, _catalog.Categories[user.Ignored].Path, false, "ignored since day " + user.IgnoreDay.ToString("0", CultureInfo.InvariantCulture)));
        }
        if (user.GiftCategory >= 0)
        {
            truths.Add(new Truth(BeliefKind.Affinity, _catalog.Categories[user.GiftCategory].Path, false, "buys it only as gifts"));
        }
        foreach (var e in user.Events)
        {
            if (e.Day < day && e.Day > day - 365 && e.Type == SignalType.Purchase && _catalog.CategoryOf(e.Item).Role == CategoryRole.Durable)
            {
                var path = _catalog.CategoryOf(e.Item).Path;
                if (!truths.Any(t => t.Kind == BeliefKind.Satiation && t.Subject == path))
                {
                    truths.Add(new Truth(BeliefKind.Satiation, path, true, "bought a durable item"));
                }
            }
        }
        if (user.ReplenishItem >= 0)
        {
            var last = user.Events.LastOrDefault(e => e.Day < day && e.Type == SignalType.Purchase && e.Item == user.ReplenishItem);
            if (last is not null)
            {
                truths.Add(new Truth(BeliefKind.Replenishment, _catalog.CategoryOf(user.ReplenishItem).Path, true,
                    "re-buys every " + user.ReplenishInterval.ToString("0", CultureInfo.InvariantCulture) + " days", last.Day + user.ReplenishInterval));
            }
        }
        // Researcher and premium buyer are traits of one archetype each; everyone else's liked
        // categories are where the same statements are false (1-3 views per visit; premium 15% of
        // the time), so recovery can be read as discrimination, not only as a threshold.
        var researcher = user.Archetype == Archetype.Researcher;
        foreach (var c in liked.Where(c => _catalog.Categories[c].Role != CategoryRole.Media))
        {
            truths.Add(new Truth(BeliefKind.Researcher, _catalog.Categories[c].Path, researcher,
                researcher ? "views many items before buying" : "views 1-3 items per visit"));
        }
        var premium = user.Archetype == Archetype.PremiumBuyer;
        foreach (var root in liked.Select(c => _catalog.Categories[c].Root).Distinct())
        {
            truths.Add(new Truth(BeliefKind.PriceTier, "premium@" + root, premium,
                premium ? "buys premium 85% of the time" : "buys premium 15% of the time"));
        }
        if (user.Genres.Length > 0)
        {
            var last = user.Streaks.LastOrDefault(s => s.Day < day);
            if (last != default)
            {
                // Ready for a change exactly when the planned streak is complete: the next consume switches genre.
                truths.Add(new Truth(BeliefKind.Variety, _catalog.Categories[last.Genre].Path,
                    last.Position >= last.Planned, "streak " + last.Position + " of " + last.Planned));
            }
        }
        return truths;
    }

    /// <summary>The engine's view of an event.</summary>
    public Signal ToSignal(SimUser user, SimEvent e, int n)
    {
        var item = _catalog.Items[e.Item];
        var category = _catalog.Categories[item.Category];
        return new Signal(
            string.Create(CultureInfo.InvariantCulture, $"{user.Id}/{n}"), e.Type, At(e.Day),
            new ItemRef(item.Id, category.Path, item.Price),
            e.Value, e.Gift ? new SignalContext(Gift: true) : null);
    }
}
