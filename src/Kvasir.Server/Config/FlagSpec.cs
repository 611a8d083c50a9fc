namespace Kvasir.Server.Config;

/// <summary>
/// One flag of <c>kvasir</c>: its etcd name, how its value is read, its default as etcd prints it,
/// and its help line. <paramref name="Aliases"/> are other names that set the same value (etcd 3.6
/// dropped the <c>experimental-</c> prefix from many flags; both spellings work here).
/// <paramref name="Ignored"/> flags are accepted for compatibility with existing deployment
/// scripts and have no effect beyond a warning when set.
/// </summary>
public sealed record FlagSpec(
    string Name,
    FlagType Type,
    string Default,
    string Help,
    string Section,
    string[]? Aliases = null,
    bool Ignored = false)
{
    public IEnumerable<string> AllNames
    {
        get
        {
            yield return Name;
            foreach (var a in Aliases ?? [])
            {
                yield return a;
            }
        }
    }
}
