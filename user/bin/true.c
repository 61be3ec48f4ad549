/* true.c: exits 0 at once; the smallest program spawn can run (PBENCH times
 * spawn + exit + wait with it). */
int main(void)
{
	return 0;
}
