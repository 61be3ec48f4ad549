/* false.c: exits 1 at once. */
int main(void)
{
	return 1;
}
