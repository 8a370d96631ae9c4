// Pulumi entry point (`main` in package.json): the whole program lives in stacks/.
import { program } from "./stacks";

export = program();
