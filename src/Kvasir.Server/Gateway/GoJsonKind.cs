namespace Kvasir.Server.Gateway;

/// <summary>The kinds of JSON value.</summary>
internal enum GoJsonKind
{
    Null,
    True,
    False,
    Number,
    String,
    Array,
    Object,
}
