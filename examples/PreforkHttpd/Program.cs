// Placeholder until the kernel, wheels and HTTPD filter land.
Console.Error.WriteLine("PreforkHttpd: not implemented yet.");
return 1;
