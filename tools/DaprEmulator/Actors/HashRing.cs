using System.Text;

namespace DaprEmulator.Actors;

// Placement of the ids of one actor type on its hosts: a consistent-hash ring with virtual nodes,
// as the Dapr placement service builds (100 per host), so that adding or removing a host moves
// only the ids that land on it.
internal sealed class HashRing<T>
    where T : class
{
    private const int VirtualNodesPerHost = 100;
    private readonly ulong[] hashes;
    private readonly T[] owners;

    public HashRing(IEnumerable<(string Key, T Host)> hosts)
    {
        var nodes = new List<(ulong Hash, T Host)>();
        foreach (var (key, host) in hosts)
        {
            for (var i = 0; i < VirtualNodesPerHost; i++)
            {
                nodes.Add((Hash($"{key}#{i}"), host));
            }
        }

        nodes.Sort((a, b) => a.Hash.CompareTo(b.Hash));
        hashes = [.. nodes.Select(n => n.Hash)];
        owners = [.. nodes.Select(n => n.Host)];
    }

    public T? Lookup(string actorId)
    {
        if (hashes.Length == 0)
        {
            return null;
        }

        var index = Array.BinarySearch(hashes, Hash(actorId));
        if (index < 0)
        {
            index = ~index;
        }

        return owners[index == hashes.Length ? 0 : index];
    }

    // FNV-1a with MurmurHash3's 64-bit finalizer: stable across processes (unlike
    // string.GetHashCode) and well spread even for ids that differ only in their last character.
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
