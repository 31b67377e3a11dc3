import { Loading } from '@/components/ui/states';

/** Shown at once on a move to another page, while the server reads what it will show. */
export default function PageLoading() {
  return <Loading what="the page" />;
}
