namespace PoeSharp.Filters.Tests.Json;

public sealed record Point(int X, string Name, double Y);
