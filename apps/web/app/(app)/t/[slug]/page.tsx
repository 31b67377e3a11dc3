import { ContainersPage } from '@/components/containers/containers-page';

// The list is the one page the browser reads for itself: with 5,000 containers, sending it
// through the server's render and hydration took two to three times as long to show the rows
// as the browser's own call (measured on the 2-core test machine). Its frame (session,
// tenant) still arrives with the page.
export default function Page() {
  return <ContainersPage />;
}
