namespace LandkreisLizenz.Core.Security;

/// <summary>The caller's scope does not allow the operation. The message is German and shown to the user.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);
