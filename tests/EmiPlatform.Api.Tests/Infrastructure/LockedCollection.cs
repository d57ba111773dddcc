using System.Collections;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>
/// A collection an exporter may add to from any thread while a test reads it: OpenTelemetry's in-memory exporter
/// takes any <see cref="ICollection{T}"/>, and spans end on the host's threads.
/// </summary>
public sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count { get { lock (_items) { return _items.Count; } } }

    public bool IsReadOnly => false;

    public void Add(T item) { lock (_items) { _items.Add(item); } }

    public void Clear() { lock (_items) { _items.Clear(); } }

    public bool Contains(T item) { lock (_items) { return _items.Contains(item); } }

    public void CopyTo(T[] array, int arrayIndex) { lock (_items) { _items.CopyTo(array, arrayIndex); } }

    public bool Remove(T item) { lock (_items) { return _items.Remove(item); } }

    /// <summary>A snapshot: enumerating it never races an exporter.</summary>
    public IEnumerator<T> GetEnumerator() { lock (_items) { return _items.ToList().GetEnumerator(); } }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
