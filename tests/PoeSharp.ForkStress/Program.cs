// Placeholder until the fork support lands.
Console.Error.WriteLine("ForkStress: not implemented yet.");
return 1;
