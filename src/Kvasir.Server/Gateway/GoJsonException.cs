namespace Kvasir.Server.Gateway;

/// <summary>A request body etcd's gateway would refuse; the message is Go's text for the same input.</summary>
public sealed class GoJsonException(string message) : FormatException(message);
