using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Clarity.LoadTest;

/// <summary>
/// Request bodies for the workloads: a fixed catalogue of categories, users "u{n}" whose
/// self-models hold about <c>beliefs</c> affinities, unique signal ids so that every ingest changes
/// state (a duplicate would skip the durable write and flatter the figure).
/// </summary>
internal sealed class Workloads(int users, DateTimeOffset now)
{
    public const int Leaves = 400;
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static long s_signalIds;
    // Event times increase with the signal id, one millisecond apart, as a live stream's do: equal
    // times would order by id as text ("-10000" before "-9999"), so most signals would look late to
    // the engine and rebuild its reorder window, a cost real traffic does not have. Twelve hours
    // back leaves room for 43 million signals before reaching the present.
    private readonly DateTimeOffset _firstOccurredAt = now.AddHours(-12);
    private readonly string _runTag = Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<int, byte[]> _rerankBodies = [];

    public int Users { get; } = users;

    /// <summary>A three-level category path; 10 departments x 10 categories x 4 leaves.</summary>
    public static string Category(int leaf) => $"d{leaf / 40}/c{leaf / 4 % 10}/l{leaf % 4}";

    /// <summary>The k-th distinct leaf of user <paramref name="user"/> (13 is coprime with 400).</summary>
    public static int LeafOf(int user, int k) => ((user * 7) + (k * 13)) % Leaves;

    public static string User(int user) => "u" + user.ToString(CultureInfo.InvariantCulture);

    /// <summary>Signals that give each of <paramref name="userCount"/> users one affinity per leaf, <paramref name="count"/> leaves.</summary>
    public byte[] SeedBody(int firstUser, int userCount, int count)
    {
        var json = new StringBuilder("{\"signals\":[");
        for (var u = firstUser; u < firstUser + userCount; u++)
        {
            for (var k = 0; k < count; k++)
            {
                AppendSignal(json, User(u), "purchase", LeafOf(u, k));
            }
        }
        return Finish(json);
    }

    /// <summary>One signal per user for users [first, first+count): a batch for many users.</summary>
    public byte[] ManyUsersBody(long first, int count, int userSpace)
    {
        var json = new StringBuilder("{\"signals\":[");
        for (var i = 0; i < count; i++)
        {
            var user = (int)((first + i) % userSpace);
            AppendSignal(json, User(user), "view", LeafOf(user, (int)(first / userSpace % 20)));
        }
        return Finish(json);
    }

    public HttpRequestMessage Ingest(string path, long n, int perRequest)
    {
        var body = perRequest == 1
            ? OneSignal(n)
            : ManyUsersBody(n * perRequest, perRequest, Users);
        return Post(path, body);
    }

    public HttpRequestMessage Read(string pathFormat, long n) =>
        new(HttpMethod.Get, string.Format(CultureInfo.InvariantCulture, pathFormat, User((int)(n % Users))));

    public HttpRequestMessage Rerank(string pathFormat, long n, int candidates)
    {
        byte[] body;
        lock (_rerankBodies)
        {
            if (!_rerankBodies.TryGetValue(candidates, out body!))
            {
                _rerankBodies[candidates] = body = RerankBody(candidates);
            }
        }
        return Post(string.Format(CultureInfo.InvariantCulture, pathFormat, User((int)(n % Users))), body);
    }

    public static HttpRequestMessage Post(string path, byte[] body) => new(HttpMethod.Post, path)
    {
        Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
    };

    /// <summary>Candidates spread over the catalogue with descending upstream scores, as a recommender would send.</summary>
    public static byte[] RerankBody(int candidates)
    {
        var json = new StringBuilder("{\"candidates\":[");
        for (var i = 0; i < candidates; i++)
        {
            if (i > 0)
            {
                json.Append(',');
            }
            var leaf = i * 37 % Leaves;
            json.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"item-{i}\",\"score\":{1.0 - (i / (double)candidates):0.####},\"category\":\"{Category(leaf)}\",\"price\":{10 + (i % 90)}}}");
        }
        json.Append("],\"context\":\"browse\",\"limit\":50}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private byte[] OneSignal(long n)
    {
        var json = new StringBuilder("{\"signals\":[");
        var user = (int)(n * 7919 % Users);
        AppendSignal(json, User(user), "view", LeafOf(user, (int)(n % 20)));
        return Finish(json);
    }

    private void AppendSignal(StringBuilder json, string user, string type, int leaf)
    {
        if (json[^1] != '[')
        {
            json.Append(',');
        }
        var id = Interlocked.Increment(ref s_signalIds);
        json.Append(CultureInfo.InvariantCulture,
            $"{{\"id\":\"s-{_runTag}-{id}\",\"userId\":\"{user}\",\"type\":\"{type}\",\"occurredAt\":\"{_firstOccurredAt.AddMilliseconds(id):yyyy-MM-ddTHH:mm:ss.fffZ}\",\"item\":{{\"id\":\"i-{leaf}-{id % 50}\",\"category\":\"{Category(leaf)}\",\"price\":25}}}}");
    }

    private static byte[] Finish(StringBuilder json) => Encoding.UTF8.GetBytes(json.Append("]}").ToString());
}
