using System.Collections;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Clarity.Engine.Beliefs;

/// <summary>
/// A self-model's beliefs by key: a hash map that stores only the belief (its key is the belief's
/// own), in 16 bytes a slot instead of a dictionary's 32, and grows by half instead of doubling to
/// the next prime. It was the largest single object of a self-model (1.4 KB for 18 beliefs).
/// </summary>
/// <remarks>
/// Enumeration order is exactly a <see cref="Dictionary{TKey, TValue}"/>'s, because outputs depend on
/// it (the order of housekeeping's changes, of a snapshot's beliefs): slots in insertion order, a
/// removed slot reused by the next addition, the most recently freed first. Capacity does not
/// affect that order.
/// </remarks>
internal sealed class BeliefMap : IReadOnlyDictionary<BeliefKey, Belief>
{
    // Slot index + 1 of the first slot of each bucket's chain (0: empty).
    private int[] _buckets = [];
    private Slot[] _slots = [];
    // Slots used so far (live or freed), the head of the freed slots' chain and how many it holds.
    private int _used;
    private int _free = -1;
    private int _freeCount;

    private struct Slot
    {
        // Null in a freed slot.
        public Belief? Value;
        // The next slot of the bucket's chain (or of the freed chain), -1 at the end.
        public int Next;
    }

    public BeliefMap()
    {
    }

    public BeliefMap(int capacity)
    {
        if (capacity > 0)
        {
            _buckets = new int[capacity];
            _slots = new Slot[capacity];
        }
    }

    public int Count => _used - _freeCount;

    public Belief this[BeliefKey key]
    {
        get => Find(key) is { } belief ? belief : throw new KeyNotFoundException($"No belief {key}.");
        set
        {
            Debug.Assert(value.Key == key, "A belief is stored under its own key.");
            var index = IndexOf(key);
            if (index >= 0)
            {
                _slots[index].Value = value;
            }
            else
            {
                Insert(value);
            }
        }
    }

    public IEnumerable<BeliefKey> Keys
    {
        get
        {
            foreach (var belief in Values)
            {
                yield return belief.Key;
            }
        }
    }

    /// <summary>The beliefs in enumeration order (a struct enumerable: no allocation in foreach).</summary>
    public ValueEnumerable Values => new(this);

    IEnumerable<Belief> IReadOnlyDictionary<BeliefKey, Belief>.Values => Values;

    public bool ContainsKey(BeliefKey key) => IndexOf(key) >= 0;

    public bool TryGetValue(BeliefKey key, [MaybeNullWhen(false)] out Belief value)
    {
        value = Find(key);
        return value is not null;
    }

    /// <summary>Adds a belief stored under <paramref name="key"/>, which must be its own and new here.</summary>
    public void Add(BeliefKey key, Belief belief)
    {
        Debug.Assert(belief.Key == key, "A belief is stored under its own key.");
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"A belief {key} is already present.", nameof(key));
        }
        Insert(belief);
    }

    public bool Remove(BeliefKey key)
    {
        if (_buckets.Length == 0)
        {
            return false;
        }
        ref var bucket = ref _buckets[Bucket(key)];
        var previous = -1;
        for (var i = bucket - 1; i >= 0; previous = i, i = _slots[i].Next)
        {
            if (_slots[i].Value!.Key == key)
            {
                if (previous < 0)
                {
                    bucket = _slots[i].Next + 1;
                }
                else
                {
                    _slots[previous].Next = _slots[i].Next;
                }
                _slots[i].Value = null;
                _slots[i].Next = _free;
                _free = i;
                _freeCount++;
                return true;
            }
        }
        return false;
    }

    private Belief? Find(BeliefKey key)
    {
        var index = IndexOf(key);
        return index >= 0 ? _slots[index].Value : null;
    }

    private int IndexOf(BeliefKey key)
    {
        if (_buckets.Length == 0)
        {
            return -1;
        }
        var slots = _slots;
        for (var i = _buckets[Bucket(key)] - 1; i >= 0; i = slots[i].Next)
        {
            if (slots[i].Value!.Key == key)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Advances <paramref name="index"/> to the next slot holding a belief (freed slots are skipped); false past the end.</summary>
    private bool NextOccupied(ref int index)
    {
        while (++index < _used)
        {
            if (_slots[index].Value is not null)
            {
                return true;
            }
        }
        return false;
    }

    private int Bucket(BeliefKey key) => (int)((uint)key.GetHashCode() % (uint)_buckets.Length);

    private void Insert(Belief belief)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _free;
            _free = _slots[index].Next;
            _freeCount--;
        }
        else
        {
            if (_used == _slots.Length)
            {
                Grow();
            }
            index = _used++;
        }
        ref var bucket = ref _buckets[Bucket(belief.Key)];
        _slots[index].Value = belief;
        _slots[index].Next = bucket - 1;
        bucket = index + 1;
    }

    // Slots keep their indices (and so the enumeration order); the chains are rebuilt.
    private void Grow()
    {
        var capacity = Math.Max(4, _slots.Length + (_slots.Length / 2));
        Array.Resize(ref _slots, capacity);
        _buckets = new int[capacity];
        for (var i = 0; i < _used; i++)
        {
            // Only full without freed slots, but a freed one keeps its place in the freed chain.
            if (_slots[i].Value is null)
            {
                continue;
            }
            ref var bucket = ref _buckets[Bucket(_slots[i].Value!.Key)];
            _slots[i].Next = bucket - 1;
            bucket = i + 1;
        }
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<BeliefKey, Belief>> IEnumerable<KeyValuePair<BeliefKey, Belief>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator(BeliefMap map) : IEnumerator<KeyValuePair<BeliefKey, Belief>>
    {
        private int _index = -1;

        public readonly KeyValuePair<BeliefKey, Belief> Current
        {
            get
            {
                var belief = map._slots[_index].Value!;
                return new(belief.Key, belief);
            }
        }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => map.NextOccupied(ref _index);

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }

    public readonly struct ValueEnumerable(BeliefMap map) : IEnumerable<Belief>
    {
        public ValueEnumerator GetEnumerator() => new(map);

        IEnumerator<Belief> IEnumerable<Belief>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public struct ValueEnumerator(BeliefMap map) : IEnumerator<Belief>
    {
        private int _index = -1;

        public readonly Belief Current => map._slots[_index].Value!;

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => map.NextOccupied(ref _index);

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}
